import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeRun, requireTool, runTool } from "../../../test/support/require-tool";
import { renderArchiveService, renderArchiveTimer } from "./render-archive-units";
import { renderArchiveEnv } from "./render-archive-env";
import { renderArchiveScript } from "./render-archive-script";
import { ARCHIVE_ENV_FILE, ARCHIVE_SCRIPT_PATH, ARCHIVE_SERVICE_PATH, ARCHIVE_TIMER_PATH } from "./archive-plan";
import { prodArchiveStack } from "./test-plan";
import { directives, makeVmRoot } from "../../../test/support/unit-root";

const { plan } = prodArchiveStack();

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A temporary root that mirrors an FRS VM: both units, the env file and the script ExecStart= names. */
function vmRoot(service: string, timer: string): string {
  return makeVmRoot("ibac-frs-archive-unit-", [
    { path: ARCHIVE_SERVICE_PATH, text: service, mode: 0o644 },
    { path: ARCHIVE_TIMER_PATH, text: timer, mode: 0o644 },
    { path: ARCHIVE_ENV_FILE, text: renderArchiveEnv({ accessKey: "ibac-frs", secretKey: "abcdefgh12345678" }), mode: 0o600 },
    { path: ARCHIVE_SCRIPT_PATH, text: renderArchiveScript(plan), mode: 0o755 },
  ], tempDirs);
}

function verify(root: string, unit: string): ReturnType<typeof runTool> {
  const analyze = requireTool("systemd-analyze", "systemd");
  return runTool(analyze, ["verify", "--recursive-errors=no", "--man=no", `--root=${root}`, path.join(root, unit)]);
}

describe("the archive job's service and timer", () => {
  const service = renderArchiveService(plan);
  const timer = renderArchiveTimer(plan);

  it("systemd-analyze verify accepts the prod service and timer without a warning", () => {
    const root = vmRoot(service, timer);
    for (const unit of [ARCHIVE_SERVICE_PATH, ARCHIVE_TIMER_PATH]) {
      const result = verify(root, unit);
      expect(result.status, describeRun(result)).toBe(0);
      expect(result.stdout + result.stderr, describeRun(result)).toBe("");
    }
  });

  it("systemd-analyze verify reports a mutant's unknown directive and a missing script (the check can fail)", () => {
    const mutant = verify(vmRoot(service.replace("ProtectSystem=strict", "ProtectSystems=strict"), timer), ARCHIVE_SERVICE_PATH);
    expect(mutant.stdout + mutant.stderr).toMatch(/Unknown key 'ProtectSystems' in section \[Service\]/);
    const root = vmRoot(service, timer);
    fs.rmSync(path.join(root, ARCHIVE_SCRIPT_PATH));
    const missing = verify(root, ARCHIVE_SERVICE_PATH);
    expect(missing.status, describeRun(missing)).not.toBe(0);
    expect(missing.stderr).toContain(ARCHIVE_SCRIPT_PATH);
  });

  it("runs the script once per start as the FRS user, with the keys from the root-only env file", () => {
    expect(directives(service, "Type")).toEqual(["oneshot"]);
    expect(directives(service, "User")).toEqual(["ibac-frs"]);
    expect(directives(service, "Group")).toEqual(["ibac-frs"]);
    expect(directives(service, "EnvironmentFile")).toEqual(["/etc/ibac/frs-archive.env"]);
    expect(directives(service, "ExecStart")).toEqual(["/usr/local/sbin/ibac-frs-archive"]);
    expect(directives(service, "RequiresMountsFor")).toEqual(["/srv/frs/data"]);
    expect(service).not.toContain("[Install]");
    expect(service).not.toMatch(/IBAC_S3_|Environment=/);
  });

  it("is hardened: no privileges, the system read-only but for the data directory and its state, only the object store on the network", () => {
    expect(directives(service, "NoNewPrivileges")).toEqual(["yes"]);
    expect(directives(service, "CapabilityBoundingSet")).toEqual([""]);
    expect(directives(service, "ProtectSystem")).toEqual(["strict"]);
    expect(directives(service, "ReadWritePaths")).toEqual(["/srv/frs/data"]);
    expect(directives(service, "StateDirectory")).toEqual(["ibac-frs-archive"]);
    expect(directives(service, "PrivateTmp")).toEqual(["yes"]);
    expect(directives(service, "ProtectHome")).toEqual(["yes"]);
    expect(directives(service, "IPAddressDeny")).toEqual(["any"]);
    expect(directives(service, "IPAddressAllow")).toEqual(["10.20.2.12"]);
  });

  it("systemd-analyze security rates the service's exposure low (offline, on the rendered file)", () => {
    const analyze = requireTool("systemd-analyze", "systemd");
    const root = vmRoot(service, timer);
    const result = runTool(analyze, ["security", "--offline=true", `--root=${root}`, "--no-pager", path.join(root, ARCHIVE_SERVICE_PATH)]);
    const score = /Overall exposure level for \S+: ([0-9.]+)/.exec(result.stdout + result.stderr)?.[1];
    expect(score, describeRun(result)).toBeDefined();
    expect(Number(score), describeRun(result)).toBeLessThan(2);
  });

  it("the timer fires hourly with a random delay, catches up after downtime, and is enabled for timers.target", () => {
    expect(directives(timer, "OnCalendar")).toEqual(["hourly"]);
    expect(directives(timer, "RandomizedDelaySec")).toEqual(["15min"]);
    expect(directives(timer, "Persistent")).toEqual(["true"]);
    expect(directives(timer, "Unit")).toEqual(["ibac-frs-archive.service"]);
    expect(directives(timer, "WantedBy")).toEqual(["timers.target"]);
  });

  it("refuses a data directory a unit would read as a specifier, and a script path with a space", () => {
    expect(() => renderArchiveService({ ...plan, dataDir: "/srv/%h/data" })).toThrow('renderArchiveService: dataDir: expected an absolute path of letters, digits, \'.\', \'_\' and \'-\' (no \'.\' or \'..\' segments), found "/srv/%h/data"');
    expect(() => renderArchiveService(plan, { script: "/usr/local/sbin/my job" })).toThrow('renderArchiveService: script: expected an absolute path');
    expect(() => renderArchiveTimer({ ...plan, retentionDays: 0 })).toThrow("renderArchiveTimer: retentionDays: expected 1 to 365 days (frs.localRetentionDays), found 0");
  });
});
