// For tests of rendered keepalived.conf files: `keepalived -t` needs the interfaces a file names (it exits 5
// without them), so it runs inside a network namespace of the test's own with the guest's eth0, never on this
// machine's interfaces. Scripts the files name go in `dir`, root-owned and not writable by others, as
// keepalived's script security wants every directory up to a script.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describeRun, requireTool, runTool, type ToolResult } from "./require-tool";
import { keepalivedConfigTestCopy } from "../../components/network/vrrp/render-keepalived-conf";
import type { KeepalivedPaths } from "../../components/network/vrrp/keepalived-paths";

export interface KeepalivedCheck {
  /** A 0755 directory for the scripts the files run. */
  dir: string;
  /** keepalived's paths inside `dir`. */
  paths: KeepalivedPaths;
  /** `keepalived -t` on the text (its config-test copy, see keepalivedConfigTestCopy) inside the namespace. */
  configTest(text: string, name: string): ToolResult;
  /** Removes the namespace and the directory. */
  stop(): void;
}

/** A namespace with an eth0 and a directory for scripts; call `stop` in afterAll. */
export function startKeepalivedCheck(prefix: string): KeepalivedCheck {
  const ip = requireTool("ip", "iproute2");
  const keepalived = requireTool("keepalived", "keepalived");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  fs.chmodSync(dir, 0o755);
  const paths: KeepalivedPaths = { configFile: path.join(dir, "keepalived.conf"), notifyScript: path.join(dir, "notify"), pidFile: path.join(dir, "k.pid"), vrrpPidFile: path.join(dir, "v.pid") };
  const netns = `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  let made = false;
  const stop = (): void => {
    if (made) runTool(ip, ["netns", "del", netns]);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  for (const step of [["netns", "add", netns], ["-n", netns, "link", "add", "eth0", "type", "veth", "peer", "name", "peer0"], ["-n", netns, "link", "set", "eth0", "up"]]) {
    const r = runTool(ip, step);
    if (r.status !== 0) {
      stop();
      throw new Error(describeRun(r));
    }
    made = true;
  }
  return {
    dir,
    paths,
    configTest(text, name) {
      const file = path.join(dir, `${name}.conf`);
      fs.writeFileSync(file, keepalivedConfigTestCopy(text));
      return runTool(ip, ["netns", "exec", netns, keepalived, "--config-test", "--use-file", file, "--log-console"], { timeout: 20_000 });
    },
    stop,
  };
}
