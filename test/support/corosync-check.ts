// `corosync -t` on a rendered corosync.conf, as each peer would read it: in a fresh network namespace whose
// loopback holds the peer's addresses (corosync finds its own node by a local address), in a mount namespace
// that puts a fresh test key at /etc/corosync/authkey (-t opens it when crypto is on), under a host name that
// is neither VM. Shared by the object store's and the backup tier's corosync tests.
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "vitest";
import { describeRun, requireTool, runTool, type ToolResult } from "./require-tool";

export interface CorosyncCheck {
  /** corosync -t on `text` with `localAddresses` on the namespace's loopback; the namespace is removed after. */
  check(text: string, localAddresses: readonly string[]): ToolResult;
}

/** A checker writing its files below `dir` (the caller's mkdtemp directory, removed by the caller). */
export function corosyncCheck(dir: string, namespacePrefix: string): CorosyncCheck {
  const corosync = requireTool("corosync", "corosync");
  const keygen = requireTool("corosync-keygen", "corosync");
  const ip = requireTool("ip", "iproute2");
  const unshare = requireTool("unshare", "util-linux");
  const keyDir = path.join(dir, "etc-corosync");
  fs.mkdirSync(keyDir, { mode: 0o700 });
  const key = runTool(keygen, ["-k", path.join(keyDir, "authkey")]);
  expect(key.status, describeRun(key)).toBe(0);
  let count = 0;
  return {
    check(text, localAddresses) {
      const file = path.join(dir, `corosync-${count}.conf`);
      fs.writeFileSync(file, text);
      const ns = `${namespacePrefix}-${process.pid}-${count++}-${Math.random().toString(36).slice(2, 8)}`;
      const added = runTool(ip, ["netns", "add", ns]);
      expect(added.status, describeRun(added)).toBe(0);
      try {
        for (const args of [["link", "set", "lo", "up"], ...localAddresses.map((a) => ["addr", "add", `${a}/32`, "dev", "lo"])]) {
          const r = runTool(ip, ["-n", ns, ...args]);
          expect(r.status, describeRun(r)).toBe(0);
        }
        // sh's positional parameters carry the paths: nothing is spliced into the script text.
        return runTool(ip, ["netns", "exec", ns, unshare, "-m", "-u", "sh", "-c",
          'mount --bind "$1" /etc/corosync && hostname ibac-corosync-check && exec "$2" -t -c "$3"', "sh", keyDir, corosync, file]);
      } finally {
        const removed = runTool(ip, ["netns", "delete", ns]);
        expect(removed.status, describeRun(removed)).toBe(0);
      }
    },
  };
}
