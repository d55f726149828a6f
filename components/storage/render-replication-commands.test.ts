import { NOT_PROMOTED_EXIT } from "./mc-script";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeRun, requireTool, runTool, type ToolResult } from "../../test/support/require-tool";
import { renderReplicationScript, replicationRuleId } from "./render-replication-commands";
import { renderRetentionScript } from "./render-retention-commands";
import { mcParsesHost, readMcCalls, writeMcStandIn } from "../../test/support/mc-stand-in";
import { storageStack } from "../../test/fixtures/storage-stacks";

const { spec, plan } = storageStack("prod");
const REPLICATION = spec.objectStore.replication as NonNullable<typeof spec.objectStore.replication>;
const SERVICE = plan.service;
// Distinct, recognisable keys; the third site's secret has the '/', '+' and '@' an operator's key may hold.
const KEYS = { localAccess: "LOCALACCESSKEY01", localSecret: "localSecretKey0123456789", remoteAccess: "REMOTEACCESS02", remoteSecret: "r3m0te/Secret+Key@2026" };
const ALL_KEYS = [KEYS.localAccess, KEYS.localSecret, KEYS.remoteAccess, KEYS.remoteSecret];

const tempDirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function checkShell(script: string): void {
  const file = path.join(tempDir("ibac-mc-script-"), "script");
  fs.writeFileSync(file, script, { mode: 0o755 });
  for (const result of [runTool(requireTool("bash", "bash"), ["-n", file]), runTool(requireTool("shellcheck", "shellcheck"), ["--shell=bash", "--severity=style", file])]) {
    expect(result.status, describeRun(result)).toBe(0);
  }
}

interface Sandbox {
  dir: string;
  state: string;
  run(script: string, stdin: string, opts?: { holdAddress?: boolean }): ToolResult;
}

/**
 * Runs a rendered mc script as the Promoted VM would: in a network namespace of its own whose loopback holds
 * the service address (the namespace is this test's; nothing is sent anywhere), with the stand-in mc.
 */
function sandbox(): Sandbox {
  const dir = tempDir("ibac-mc-run-");
  const state = path.join(dir, "state");
  const mc = path.join(dir, "mc");
  writeMcStandIn(mc, state);
  fs.writeFileSync(path.join(dir, "ca.pem"), "-----BEGIN CERTIFICATE-----\n(test CA)\n-----END CERTIFICATE-----\n");
  return {
    dir,
    state,
    run(script, stdin, opts = {}) {
      const file = path.join(dir, "script");
      fs.writeFileSync(file, script, { mode: 0o700 });
      const unshare = requireTool("unshare", "util-linux");
      const ip = requireTool("ip", "iproute2");
      const setup = opts.holdAddress === false ? `${ip} link set lo up` : `${ip} link set lo up && ${ip} addr add ${SERVICE.address}/32 dev lo`;
      return runTool(unshare, ["--net", "bash", "-c", `${setup} && exec bash "$0"`, file], { input: stdin, timeout: 30_000 });
    },
  };
}

const stdinOf = (keys: string[]): string => keys.map((k) => `${k}\n`).join("");

describe("renderReplicationScript", () => {
  it("bash -n and shellcheck accept the prod script", () => {
    checkShell(renderReplicationScript(REPLICATION, SERVICE));
  });

  it("holds no key: they come on standard input", () => {
    const script = renderReplicationScript(REPLICATION, SERVICE);
    expect(script).toContain('IFS= read -r remote_secret || fail');
    expect(script).toContain("readonly REMOTE_HOST_PORT=203.0.113.20:9000\n");
    expect(script).toContain("replicate ibac-audit ibac-audit ibac-to-ibac-audit\n");
  });

  it("names each rule after its target, dots made dashes", () => {
    expect(replicationRuleId("ibac-photos")).toBe("ibac-to-ibac-photos");
    expect(replicationRuleId("dr.photos")).toBe("ibac-to-dr-photos");
  });

  it.each([
    ["a target bucket that looks like an address", { buckets: [{ source: "ibac-photos", target: "10.0.0.1" }] }, 'renderReplicationScript: objectStore.replication.buckets[0].target: expected an S3 bucket name, found "10.0.0.1": a bucket name must not look like an IP address'],
    ["a source with a shell substitution", { buckets: [{ source: "$(reboot)", target: "x-y" }] }, "renderReplicationScript: objectStore.replication.buckets[0].source: expected an S3 bucket name, found \"$(reboot)\": not 3 to 63 lower-case letters, digits, '.' and '-'"],
    ["no pairs", { buckets: [] }, "renderReplicationScript: objectStore.replication.buckets: expected at least one pair, found none"],
    ["an endpoint host with a line break", { endpoint: "https://dr.example.org\nx" }, "renderReplicationScript: objectStore.replication.endpoint: expected a lower-case DNS name such as s3.example.org"],
  ])("refuses %s", (_what, change, message) => {
    expect(() => renderReplicationScript({ ...REPLICATION, ...change }, SERVICE)).toThrow(message);
  });
});

describe("the replication script, run in a network namespace with a stand-in mc (mc and MinIO themselves unproven)", () => {
  const render = (box: Sandbox): string => renderReplicationScript(REPLICATION, SERVICE, { mcBinary: path.join(box.dir, "mc"), caFile: path.join(box.dir, "ca.pem") });

  it("enables versioning at both ends and adds one rule per pair, with no key in any argument", () => {
    requireTool("python3", "python3");
    const box = sandbox();
    const result = box.run(render(box), stdinOf(ALL_KEYS));
    expect(result.status, describeRun(result)).toBe(0);
    expect(result.stdout).toBe(REPLICATION.buckets.map((p) => `ibac-s3-replication: local/${p.source} -> 203.0.113.20:9000/${p.target}: rule ${replicationRuleId(p.target)} added\n`).join(""));
    const calls = readMcCalls(box.state);
    const commands = calls.map((c) => c.args.filter((a, i, all) => !["--config-dir", "--resolve"].includes(a) && !["--config-dir", "--resolve"].includes(all[i - 1] ?? "") && a !== "--no-color"));
    expect(commands).toEqual(REPLICATION.buckets.flatMap((p) => [
      ["version", "enable", `local/${p.source}`],
      ["version", "enable", `remote/${p.target}`],
      ["replicate", "ls", `local/${p.source}`, "--json"],
      ["replicate", "add", `local/${p.source}`, "--id", replicationRuleId(p.target), "--remote-bucket", `remote/${p.target}`, "--priority", "1", "--replicate", "existing-objects,delete-marker"],
    ]));
    for (const call of calls) {
      for (const key of ALL_KEYS) expect(call.args.join(" "), "a key in mc's arguments").not.toContain(key);
      expect(call.args).toContain(`s3.ibac.rik.ee:9000=${SERVICE.address}`);
      expect(call.configDirOk, "the throwaway config trusts the CA and holds no aliases").toBe(true);
    }
    // The keys, as mc reads MC_HOST_<alias>: each one intact, no session token read into the ':'.
    expect(mcParsesHost(calls[0].hosts.local ?? "")).toEqual({ accessKey: KEYS.localAccess, secretKey: KEYS.localSecret, url: "https://s3.ibac.rik.ee:9000" });
    expect(mcParsesHost(calls[0].hosts.remote ?? "")).toEqual({ accessKey: KEYS.remoteAccess, secretKey: KEYS.remoteSecret, url: "https://203.0.113.20:9000" });
    // The throwaway configuration is gone after the run.
    expect(fs.existsSync(calls[0].configDir)).toBe(false);
  });

  it("is idempotent: a second run finds its rules and updates them (which carries changed keys) instead of adding more", () => {
    const box = sandbox();
    expect(box.run(render(box), stdinOf(ALL_KEYS)).status).toBe(0);
    const again = box.run(render(box), stdinOf([KEYS.localAccess, KEYS.localSecret, KEYS.remoteAccess, "rotated-Remote-Secret"]));
    expect(again.status, describeRun(again)).toBe(0);
    expect(again.stdout, describeRun(again)).toContain("ibac-s3-replication: local/ibac-photos -> 203.0.113.20:9000/ibac-photos: rule ibac-to-ibac-photos updated\n");
    const second = readMcCalls(box.state).slice(REPLICATION.buckets.length * 4);
    expect(second.filter((c) => c.args.includes("add"))).toEqual([]);
    expect(second.filter((c) => c.args.includes("update"))).toHaveLength(REPLICATION.buckets.length);
    expect(mcParsesHost(second[0].hosts.remote ?? "")).toMatchObject({ secretKey: "rotated-Remote-Secret" });
  });

  it("does nothing where the service address is not (not the Promoted VM), before reading a key or calling mc, and says so with exit 3", () => {
    const box = sandbox();
    const result = box.run(render(box), stdinOf(ALL_KEYS), { holdAddress: false });
    expect(result.status).toBe(NOT_PROMOTED_EXIT);
    expect(result.stderr).toBe(`ibac-s3-replication: this VM does not hold the service address ${SERVICE.address}: nothing to do here (the Promoted storage VM does it)\n`);
    expect(readMcCalls(box.state)).toEqual([]);
  });

  it.each([
    ["a key with ':' (mc would read a session token)", [KEYS.localAccess, KEYS.localSecret, KEYS.remoteAccess, "bad:secret"], "ibac-s3-replication: remote_secret: expected printable characters without ':' or spaces, found 10 characters that are not (not shown)\n"],
    ["a key with a space", [KEYS.localAccess, "bad secret", KEYS.remoteAccess, KEYS.remoteSecret], "ibac-s3-replication: local_secret: expected printable characters without ':' or spaces, found 10 characters that are not (not shown)\n"],
    ["a missing key", [KEYS.localAccess, KEYS.localSecret, KEYS.remoteAccess], "ibac-s3-replication: expected 4 keys on standard input, one per line (local_access, local_secret, remote_access, remote_secret); remote_secret is missing\n"],
  ])("refuses %s without calling mc or showing it", (_what, keys, message) => {
    const box = sandbox();
    const result = box.run(render(box), stdinOf(keys));
    expect(result.status, describeRun(result)).toBe(1);
    expect(result.stderr).toBe(message);
    expect(result.stderr).not.toContain("bad");
    expect(readMcCalls(box.state)).toEqual([]);
  });

  it("fails clearly without an mc", () => {
    const box = sandbox();
    const script = renderReplicationScript(REPLICATION, SERVICE, { mcBinary: path.join(box.dir, "no-mc"), caFile: path.join(box.dir, "ca.pem") });
    const result = box.run(script, stdinOf(ALL_KEYS));
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`ibac-s3-replication: no MinIO client at ${path.join(box.dir, "no-mc")} (mc RELEASE.2024-03 or later, objectStore.minioClient)\n`);
  });
});

describe("renderRetentionScript", () => {
  it("sets the default retention of each locked prod bucket, from the spec's mode and days; shellcheck accepts it", () => {
    const box = sandbox();
    const script = renderRetentionScript(spec.objectStore.buckets, SERVICE, { mcBinary: path.join(box.dir, "mc"), caFile: path.join(box.dir, "ca.pem") }) ?? "";
    checkShell(script);
    const result = box.run(script, stdinOf([KEYS.localAccess, KEYS.localSecret]));
    expect(result.status, describeRun(result)).toBe(0);
    const commands = readMcCalls(box.state).map((c) => c.args.slice(c.args.indexOf("--no-color") + 1));
    expect(commands).toEqual([
      ["retention", "set", "--default", "COMPLIANCE", "365d", "local/ibac-logs"],
      ["retention", "set", "--default", "COMPLIANCE", "1825d", "local/ibac-audit"],
    ]);
    expect(result.stdout).toBe("ibac-s3-retention: local/ibac-logs: new versions are locked COMPLIANCE for 365d\nibac-s3-retention: local/ibac-audit: new versions are locked COMPLIANCE for 1825d\n");
    for (const call of readMcCalls(box.state)) for (const key of [KEYS.localAccess, KEYS.localSecret]) expect(call.args.join(" ")).not.toContain(key);
  });

  it("renders nothing when no bucket is locked, and refuses a mode S3 does not know", () => {
    expect(renderRetentionScript(spec.objectStore.buckets.map((b) => ({ ...b, objectLock: undefined })), SERVICE)).toBeUndefined();
    const bad = spec.objectStore.buckets.map((b) => (b.objectLock ? { ...b, objectLock: { ...b.objectLock, mode: "LEGAL" as "COMPLIANCE" } } : b));
    expect(() => renderRetentionScript(bad, SERVICE)).toThrow('renderRetentionScript: buckets[2].objectLock.mode: expected COMPLIANCE or GOVERNANCE, found "LEGAL"');
  });
});
