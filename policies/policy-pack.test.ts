import * as path from "node:path";
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import type { AnalyzerInfo } from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { allPolicies } from "./all-policies";
import { processAlive } from "../test/support/process-alive";

const packDir = __dirname;

describe("the policy pack as the Pulumi CLI starts it (no Pulumi CLI here: the pack's own gRPC analyzer on 127.0.0.1)", () => {
  it("policies/index.ts starts an analyzer that lists every policy with its enforcement level", async () => {
    const tsx = require.resolve("tsx/cjs", { paths: [path.resolve(packDir, "..")] });
    const child = spawn(process.execPath, ["-r", tsx, "index.ts"], { cwd: packDir, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the pack printed no port in 60 s: ${stderr}`)), 60_000);
        child.stdout.on("data", (d: Buffer) => {
          const m = /^(\d+)\s*$/m.exec(d.toString());
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
        child.once("exit", (code) => reject(new Error(`the pack exited with ${code}: ${stderr}`)));
      });
      const client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
      const info = await new Promise<AnalyzerInfo>((resolve, reject) => client.getAnalyzerInfo(new Empty(), (err, res) => (err ? reject(err) : resolve(res))));
      client.close();
      expect(info.getName()).toBe("ibac-requirements");
      const listed = info.getPoliciesList().map((p) => p.getName()).sort();
      expect(listed).toEqual(allPolicies().map((p) => p.name).sort());
      // EnforcementLevel.MANDATORY is 1 in the analyzer protocol.
      const mandatory = info.getPoliciesList().filter((p) => p.getEnforcementlevel() === 1).map((p) => p.getName()).sort();
      expect(mandatory).toEqual(allPolicies().filter((p) => p.enforcementLevel === "mandatory").map((p) => p.name).sort());
    } finally {
      if (child.pid && processAlive(child.pid)) child.kill("SIGTERM");
    }
  }, 90_000);
});
