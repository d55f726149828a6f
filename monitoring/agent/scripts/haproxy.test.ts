import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_SCRIPTS } from "../../paths";
import { scriptBench, type ScriptRun } from "../../../test/support/agent-script";
import { processAlive } from "../../../test/support/process-alive";
import { requireTool } from "../../../test/support/require-tool";
import { sleep } from "../../../test/lab/run";

// The real HAProxy 2.6 with a stats socket, its backends' servers on loopback: one HTTP server that answers,
// and a port nothing listens on.
const bench = scriptBench("agent-haproxy");
let server: http.Server;
let livePort = 0;
let deadPort = 0;
const daemons: ChildProcess[] = [];

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  server = http.createServer((_req, res) => res.end("ok"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  livePort = (server.address() as net.AddressInfo).port;
  deadPort = await freePort();
});
afterAll(async () => {
  for (const d of daemons) if (d.pid && processAlive(d.pid)) process.kill(d.pid, "SIGKILL");
  await new Promise<void>((resolve) => server.close(() => resolve()));
  bench.remove();
});

/** Starts haproxy with these backends (name -> server ports) and returns its stats socket. */
async function haproxyWith(name: string, backends: Record<string, number[]>): Promise<string> {
  const socket = path.join(bench.dir, `${name}.sock`);
  const cfg = path.join(bench.dir, `${name}.cfg`);
  const lines = ["global", `  stats socket ${socket} mode 600 level user`, "defaults", "  mode http", "  timeout connect 1s", "  timeout client 5s", "  timeout server 5s"];
  for (const [backend, ports] of Object.entries(backends)) {
    lines.push(`backend ${backend}`, "  option httpchk GET /");
    ports.forEach((p, i) => lines.push(`  server ${backend}${i + 1} 127.0.0.1:${p} check inter 100ms fall 1 rise 1`));
  }
  fs.writeFileSync(cfg, `${lines.join("\n")}\n`);
  const d = spawn(requireTool("haproxy", "haproxy"), ["-db", "-f", cfg], { stdio: "ignore" });
  daemons.push(d);
  for (let i = 0; i < 50 && !fs.existsSync(socket); i++) await sleep(100);
  if (!fs.existsSync(socket)) throw new Error(`haproxy did not open ${socket}`);
  return socket;
}

/** The check, once the health checks have settled (a few intervals), up to 5 s. */
async function settled(socket: string, expected: number): Promise<ScriptRun> {
  let r = bench.run(AGENT_SCRIPTS.haproxy, [socket]);
  for (let i = 0; i < 50 && r.status !== expected; i++) {
    await sleep(100);
    r = bench.run(AGENT_SCRIPTS.haproxy, [socket]);
  }
  return r;
}

describe("check_ibac_haproxy", () => {
  it("is OK when every backend's servers are UP", async () => {
    const socket = await haproxyWith("healthy", { web: [livePort], api: [livePort, livePort] });
    expect(await settled(socket, 0)).toMatchObject({ status: 0, line: "HAPROXY OK - 2 backends | web=1;;1:;0;1 api=2;;1:;0;2" });
  });

  it("is WARNING when a backend lost some servers, CRITICAL when one has none UP", async () => {
    const warn = await haproxyWith("degraded", { web: [livePort, deadPort] });
    expect(await settled(warn, 1)).toMatchObject({ status: 1, line: "HAPROXY WARNING - 1 backends, some down: web | web=1;;1:;0;2" });
    const crit = await haproxyWith("down", { web: [livePort, deadPort], api: [deadPort] });
    expect(await settled(crit, 2)).toMatchObject({ status: 2, line: "HAPROXY CRITICAL - 2 backends, none up: api, some down: web | web=1;;1:;0;2 api=0;;1:;0;1" });
  });

  it("is CRITICAL without a stats socket, UNKNOWN on bad usage or without socat", () => {
    const missing = path.join(bench.dir, "none.sock");
    expect(bench.run(AGENT_SCRIPTS.haproxy, [missing])).toMatchObject({ status: 2, line: `HAPROXY CRITICAL - no stats socket at ${missing}` });
    expect(bench.run(AGENT_SCRIPTS.haproxy, ["admin.sock"])).toMatchObject({ status: 3, line: "HAPROXY UNKNOWN - usage: check_ibac_haproxy SOCKET (absolute path)" });
    expect(bench.run(AGENT_SCRIPTS.haproxy, [missing], { PATH: "/nonexistent" })).toMatchObject({ status: 3, line: "HAPROXY UNKNOWN - socat not found (Debian package socat)" });
  });
});
