import { describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { buildModel } from "../model/build";
import { stackSpec } from "../../test/fixtures/specs";
import { requireTool } from "../../test/support/require-tool";
import { renderFencePasswordScript, renderStoragePackagesScript, renderStorageSetupScript } from "./render-storage-scripts";

const plan = (() => {
  const { model } = buildModel(stackSpec("prod"));
  if (!model) throw new Error("prod has no model");
  return model.objectStore;
})();

const scripts: [string, string][] = [
  ["the packages script", renderStoragePackagesScript()],
  ["the fence password script", renderFencePasswordScript("/etc/ibac/storage/fence-pve.secret")],
  ["the setup script of the first peer", renderStorageSetupScript(plan, "s3-1")],
  ["the setup script of the second peer", renderStorageSetupScript(plan, "s3-2")],
];

describe("the storage VMs' scripts, checked by bash and shellcheck", () => {
  it.each(scripts)("%s parses and passes shellcheck", (_what, text) => {
    const shellcheck = requireTool("shellcheck", "shellcheck");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-storage-script-"));
    try {
      const file = path.join(dir, "script.sh");
      fs.writeFileSync(file, text);
      execFileSync("bash", ["-n", file]);
      execFileSync(shellcheck, ["--severity=style", file]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("syncs and formats only from the first peer, and only a resource that never held data", () => {
    const first = renderStorageSetupScript(plan, "s3-1");
    const second = renderStorageSetupScript(plan, "s3-2");
    expect(first).toContain("drbdadm primary --force ibac-s3");
    expect(first).toMatch(/get-gi ibac-s3 \| cut -d: -f1\)" = "\$fresh"/);
    expect(second).not.toContain("primary --force");
    expect(second).not.toContain("mkfs");
    expect(second).not.toContain("cibadmin");
  });

  it("creates DRBD metadata only on a detached disk without any signature", () => {
    const text = renderStorageSetupScript(plan, "s3-2");
    const check = text.indexOf("wipefs --noheadings /dev/disk/by-id/scsi-0QEMU_QEMU_HARDDISK_drive-scsi1");
    expect(check).toBeGreaterThan(text.indexOf("Unconfigured|Diskless)"));
    expect(text.indexOf("drbdadm create-md ibac-s3")).toBeGreaterThan(check);
  });

  it("loads the Pacemaker configuration only while the cluster is quorate", () => {
    const text = renderStorageSetupScript(plan, "s3-1");
    expect(text.indexOf('[ "$(crm_node --quorum)" != 1 ]')).toBeLessThan(text.indexOf("cibadmin --replace --scope configuration"));
  });

  it("refuses a password script for a path that is not a plain absolute path", () => {
    expect(() => renderFencePasswordScript("/etc/x; rm -rf /")).toThrowError('renderFencePasswordScript: expected an absolute path, found "/etc/x; rm -rf /"');
  });

  it("keeps the cluster off at boot until the setup script enables it", () => {
    expect(renderStoragePackagesScript()).toContain("systemctl disable --now pacemaker corosync corosync-qdevice");
  });
});

/**
 * The packages script run by bash with stand-ins for dpkg-query, apt-get and systemctl on PATH, which record
 * what they were asked. Shows the decision the script makes, not apt itself.
 */
describe("the packages script, run with stand-in package tools", () => {
  function runWith(installed: readonly string[]): string[] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-storage-packages-"));
    try {
      const log = path.join(dir, "calls.log");
      const stub = (name: string, body: string): void => fs.writeFileSync(path.join(dir, name), `#!/bin/bash\n${body}\n`, { mode: 0o755 });
      // dpkg-query -W -f=... PACKAGE: installed when the package is in the list.
      stub("dpkg-query", `case " ${installed.join(" ")} " in *" \${@: -1} "*) printf 'install ok installed' ;; *) exit 1 ;; esac`);
      stub("apt-get", `echo "apt-get $*" >> ${log}`);
      stub("systemctl", `echo "systemctl $*" >> ${log}`);
      const script = path.join(dir, "packages.sh");
      fs.writeFileSync(script, renderStoragePackagesScript());
      execFileSync("bash", [script], { env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ""}` } });
      return fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const everything = ["drbd-utils", "corosync", "corosync-qdevice", "pacemaker", "pacemaker-cli-utils", "resource-agents", "fence-agents", "haproxy", "curl", "ca-certificates"];

  it("a new VM: installs everything, keeps the cluster off until the setup script, masks Debian's haproxy.service", () => {
    expect(runWith([])).toEqual([
      `apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends ${everything.join(" ")}`,
      "systemctl disable --now pacemaker corosync corosync-qdevice",
      "systemctl mask --now haproxy.service",
    ]);
  });

  it("a running cluster that lacks HAProxy (added later): installs it without stopping Pacemaker or corosync", () => {
    expect(runWith(everything.filter((p) => p !== "haproxy"))).toEqual([
      `apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends ${everything.join(" ")}`,
      "systemctl mask --now haproxy.service",
    ]);
  });

  it("everything installed: installs nothing and only keeps Debian's haproxy.service masked", () => {
    expect(runWith(everything)).toEqual(["systemctl mask --now haproxy.service"]);
  });
});
