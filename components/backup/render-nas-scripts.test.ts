import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stackSpec } from "../../test/fixtures/specs";
import { describeRun, requireTool, runTool } from "../../test/support/require-tool";
import { renderNasKnownHosts, renderNasMountScript, renderNasUnmountScript } from "./render-nas-scripts";

// The NAS mount and unmount scripts, parsed by bash, checked by shellcheck, and run (as root, in a private mount
// namespace) against a stand-in sshfs that mounts a tmpfs and records its arguments. sshfs itself and the NAS
// are not here: what is proven is what the scripts refuse and how they call sshfs.

const offsite = stackSpec("prod").backupPolicy.offsite;
const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function scratch(): { dir: string; files: { mountPoint: string; privateKey: string; knownHosts: string }; bin: string; log: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-nas-"));
  tempDirs.push(dir);
  const files = { mountPoint: path.join(dir, "mnt"), privateKey: path.join(dir, "id_ed25519"), knownHosts: path.join(dir, "known_hosts") };
  fs.mkdirSync(files.mountPoint);
  fs.writeFileSync(files.privateKey, "(test key)\n", { mode: 0o600 });
  fs.writeFileSync(files.knownHosts, renderNasKnownHosts(offsite));
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  const log = path.join(dir, "sshfs.log");
  // Records its arguments, then mounts what the real sshfs would: its second argument.
  fs.writeFileSync(path.join(bin, "sshfs"), `#!/bin/bash\nprintf '%s\\n' "$@" > ${log}\nmount -t tmpfs ibac-test-nas "$2"\n`, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, "fusermount3"), `#!/bin/bash\n[ "$1" = -u ] && umount "$2"\n`, { mode: 0o755 });
  return { dir, files, bin, log };
}

/** Runs `script` in a private mount namespace, after `setup` (shell), then `after` (shell, its output appended). */
function runInNamespace(dir: string, bin: string, script: string, args: string[], setup = "", after = ""): ReturnType<typeof runTool> {
  const unshare = requireTool("unshare", "util-linux");
  const file = path.join(dir, "script.sh");
  fs.writeFileSync(file, script, { mode: 0o755 });
  const quoted = args.map((a) => `'${a}'`).join(" ");
  return runTool(unshare, ["-m", "--propagation", "private", "bash", "-c", `${setup}\nPATH=${bin}:$PATH ${file} ${quoted}; rc=$?\n${after}\nexit $rc`]);
}

describe("the NAS mount scripts", () => {
  it("pins the spec's host key only, without its comment", () => {
    const [type, key] = offsite.sshHostKey.split(" ");
    expect(renderNasKnownHosts(offsite)).toBe(`${offsite.nasAddress} ${type} ${key}\n`);
    expect(() => renderNasKnownHosts({ ...offsite, sshHostKey: "ecdsa-sha2-nistp256 AAAA" })).toThrow('NAS known_hosts: backupPolicy.offsite.sshHostKey: expected an ssh-ed25519 or ssh-rsa public key, found "ecdsa-sha2-nistp256 AAAA"');
    expect(() => renderNasMountScript({ ...offsite, path: "/volume1/x y" }, scratch().files)).toThrow('ibac-nas-mount: backupPolicy.offsite.path: expected an absolute path');
  });

  it.each([
    ["mount", () => renderNasMountScript(offsite, scratch().files)],
    ["unmount", () => renderNasUnmountScript(scratch().files)],
  ])("the %s script parses and passes shellcheck", (_what, render) => {
    const shellcheck = requireTool("shellcheck", "shellcheck");
    const { dir } = scratch();
    const file = path.join(dir, "s.sh");
    fs.writeFileSync(file, render());
    const parsed = runTool("bash", ["-n", file]);
    expect(parsed.status, describeRun(parsed)).toBe(0);
    const checked = runTool(shellcheck, ["--severity=style", file]);
    expect(checked.status, describeRun(checked)).toBe(0);
  });

  it("mounts with the key, the pinned host key, StrictHostKeyChecking=yes and reconnect; unmounts (root, mount namespace)", () => {
    const s = scratch();
    const result = runInNamespace(s.dir, s.bin, renderNasMountScript(offsite, s.files), [s.files.mountPoint], "", `mountpoint -q ${s.files.mountPoint} && echo MOUNTED`);
    expect(result.status, describeRun(result)).toBe(0);
    expect(result.stdout).toContain("MOUNTED");
    const [remote, mountPoint, o, options] = fs.readFileSync(s.log, "utf8").trim().split("\n");
    expect([remote, mountPoint, o]).toEqual([`${offsite.user}@${offsite.nasAddress}:${offsite.path}`, s.files.mountPoint, "-o"]);
    expect(options.split(",")).toEqual(expect.arrayContaining([
      `IdentityFile=${s.files.privateKey}`, `UserKnownHostsFile=${s.files.knownHosts}`, "GlobalKnownHostsFile=/dev/null", "StrictHostKeyChecking=yes", "BatchMode=yes", "reconnect",
    ]));
    const unmount = runInNamespace(s.dir, s.bin, renderNasUnmountScript(s.files), [s.files.mountPoint], `mount -t tmpfs x ${s.files.mountPoint}`, `mountpoint -q ${s.files.mountPoint} || echo UNMOUNTED`);
    expect(unmount.status, describeRun(unmount)).toBe(0);
    expect(unmount.stdout).toContain("UNMOUNTED");
    const again = runInNamespace(s.dir, s.bin, renderNasUnmountScript(s.files), []);
    expect(again.status, describeRun(again)).toBe(0);
  });

  it("refuses a mount point that is already mounted, not empty, or not the device's (root, mount namespace)", () => {
    const s = scratch();
    const script = renderNasMountScript(offsite, s.files);
    const mounted = runInNamespace(s.dir, s.bin, script, [], `mount -t tmpfs x ${s.files.mountPoint}`);
    expect(mounted.status).toBe(1);
    expect(mounted.stderr).toBe(`ibac-nas-mount: ${s.files.mountPoint} is already mounted: refusing to mount the NAS over it (unmount it first)\n`);
    fs.writeFileSync(path.join(s.files.mountPoint, "Photos-H01-0001"), "written while the NAS was away");
    const notEmpty = runInNamespace(s.dir, s.bin, script, []);
    expect(notEmpty.status).toBe(1);
    expect(notEmpty.stderr).toBe(`ibac-nas-mount: ${s.files.mountPoint} is not empty while unmounted: refusing to mount over files written to the local disk\n`);
    const other = runInNamespace(s.dir, s.bin, script, ["/tmp"]);
    expect(other.stderr).toBe(`ibac-nas-mount: expected the mount point ${s.files.mountPoint}, found /tmp\n`);
    expect(fs.existsSync(s.log), "sshfs was never called").toBe(false);
  });
});
