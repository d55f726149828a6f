import { spawn, type ChildProcess } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_SCRIPTS } from "../../paths";
import { scriptBench, type ScriptRun } from "../../../test/support/agent-script";
import { processAlive } from "../../../test/support/process-alive";
import { requireTool } from "../../../test/support/require-tool";
import { runChecked, sleep } from "../../../test/lab/run";

// The real keepalived 2.2 in a network namespace of this test, with its TMPDIR (where SIGUSR1 makes it
// write keepalived.data) in the test's directory: the script finds it through /proc/PID/environ and
// /proc/PID/root, as it finds /tmp on a host.
const bench = scriptBench("agent-vrrp");
const netns = `ibac-vrrp-${crypto.randomBytes(4).toString("hex")}`;
const pidFile = path.join(bench.dir, "keepalived.pid");
let keepalived: ChildProcess | undefined;
let nsMade = false;

beforeAll(async () => {
  const ip = requireTool("ip", "iproute2");
  await runChecked(ip, ["netns", "add", netns]);
  nsMade = true;
  await runChecked(ip, ["-n", netns, "link", "add", "eth0", "type", "veth", "peer", "name", "peer0"]);
  for (const l of ["eth0", "peer0"]) await runChecked(ip, ["-n", netns, "link", "set", l, "up"]);
  await runChecked(ip, ["-n", netns, "addr", "add", "10.216.0.1/24", "dev", "eth0"]);
  const cfg = path.join(bench.dir, "keepalived.conf");
  fs.writeFileSync(cfg, `vrrp_instance VI_DB {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority 100
  advert_int 1
  virtual_ipaddress {
    10.216.0.100/24
  }
}
`);
  const tmp = path.join(bench.dir, "ktmp");
  fs.mkdirSync(tmp);
  keepalived = spawn(ip, ["netns", "exec", netns, requireTool("keepalived", "keepalived"), "--dont-fork", "--log-console", "--use-file", cfg, "--pid", pidFile, "--vrrp_pid", path.join(bench.dir, "vrrp.pid")], {
    stdio: "ignore",
    env: { ...process.env, TMPDIR: tmp },
  });
  for (let i = 0; i < 50 && !fs.existsSync(pidFile); i++) await sleep(100);
}, 30_000);

afterAll(async () => {
  if (keepalived?.pid && processAlive(keepalived.pid)) {
    process.kill(keepalived.pid, "SIGTERM");
    for (let i = 0; i < 50 && processAlive(keepalived.pid); i++) await sleep(100);
    if (processAlive(keepalived.pid)) process.kill(keepalived.pid, "SIGKILL");
  }
  if (nsMade) await runChecked(requireTool("ip", "iproute2"), ["netns", "del", netns]);
  bench.remove();
});

const check = (instance: string, env: Record<string, string> = { IBAC_KEEPALIVED_PID: pidFile }): ScriptRun => bench.run(AGENT_SCRIPTS.vrrp, [instance], env);

async function until(instance: string, line: string, ms: number): Promise<ScriptRun> {
  let r = check(instance);
  for (let waited = 0; r.line !== line && waited < ms; waited += 250) {
    await sleep(250);
    r = check(instance);
  }
  return r;
}

describe("check_ibac_vrrp", () => {
  it("is OK while the instance is BACKUP, and when it has become MASTER", async () => {
    const first = check("VI_DB");
    expect(first.status, first.line).toBe(0);
    expect(first.line).toMatch(/^VRRP OK - VI_DB is (BACKUP|MASTER)$/);
    // No other router: it takes over after the master-down interval (3 adverts + skew).
    expect(await until("VI_DB", "VRRP OK - VI_DB is MASTER", 8000)).toMatchObject({ status: 0, line: "VRRP OK - VI_DB is MASTER" });
  }, 20_000);

  it("is CRITICAL for an instance keepalived does not have, or when keepalived is not running", async () => {
    expect(check("VI_NOPE")).toMatchObject({ status: 2, line: "VRRP CRITICAL - keepalived has no VRRP instance VI_NOPE" });
    const notKeepalived = path.join(bench.dir, "other.pid");
    fs.writeFileSync(notKeepalived, `${process.pid}\n`);
    expect(check("VI_DB", { IBAC_KEEPALIVED_PID: notKeepalived })).toMatchObject({ status: 2, line: `VRRP CRITICAL - keepalived is not running (pid ${process.pid})` });
    const none = path.join(bench.dir, "none.pid");
    expect(check("VI_DB", { IBAC_KEEPALIVED_PID: none })).toMatchObject({ status: 2, line: `VRRP CRITICAL - keepalived is not running (no pid in ${none})` });
  });

  it("is UNKNOWN on bad usage", () => {
    expect(check("VI DB")).toMatchObject({ status: 3, line: "VRRP UNKNOWN - usage: check_ibac_vrrp INSTANCE" });
  });

  it("is CRITICAL when the instance is in FAULT (its interface down)", async () => {
    await runChecked(requireTool("ip", "iproute2"), ["-n", netns, "link", "set", "eth0", "down"]);
    expect(await until("VI_DB", "VRRP CRITICAL - VI_DB is FAULT", 5000)).toMatchObject({ status: 2, line: "VRRP CRITICAL - VI_DB is FAULT" });
  }, 15_000);
});
