// The backup cluster's files, read by the real programs that read them on a backup VM (bookworm's drbd-utils
// 8.4 parser, corosync 3.1.7, Pacemaker 2.1.5's crm_verify, systemd-analyze), and the file list with its modes
// and secrets under pulumi.runtime.setMocks. The object store's files are the same renderers' (replicated-volume/);
// what is proven on real DRBD (the qemu guests) is proven there for both.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadStackFile, stackFilePath } from "../spec/load";
import { OfflinePlanMocks } from "../offline-plan/mocks";
import { RESOURCE_TYPES } from "../resource-types";
import { describeRun, requireTool, runTool, type ToolResult } from "../../test/support/require-tool";
import { withNodesOnline } from "../../test/support/cib-status";
import { corosyncCheck, type CorosyncCheck } from "../../test/support/corosync-check";
import { makeVmRoot } from "../../test/support/unit-root";
import { isSentAsSecret, openInput, recordingScope, settle } from "../../test/support/mock-registrations";
import { STACKS } from "../../test/fixtures/specs";
import { replicatedCibFacts } from "../replicated-volume/cib-facts";
import { drbdResourceFacts } from "../replicated-volume/drbd-facts";
import { BACKUP_CIB_IDS, BACKUP_FENCE_PVE_USER, deriveBackupClusterPlan, type BackupClusterPlan } from "./cluster-plan";
import { BACKUP_CLUSTER_PATHS } from "./cluster-paths";
import { backupClusterFiles, backupClusterTextFiles, type BackupClusterSecrets } from "./cluster-files";
import { declareBackupClusterSecrets } from "./cluster-secrets";
import type { RenderedFile } from "../vm/rendered-file";

const ROOT = path.resolve(__dirname, "../..");
function loaded(stack: string): ReturnType<typeof loadStackFile> {
  return loadStackFile(stackFilePath(ROOT, stack));
}
const PROD = loaded("prod");
const PLAN: BackupClusterPlan = deriveBackupClusterPlan(PROD.spec, PROD.model);
const [FIRST, SECOND] = PLAN.drbd.peers;
const TEXT = backupClusterTextFiles(PLAN, 12, FIRST.vm);

const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

describe("the backup DRBD resource, read by the real drbdadm-84 as each peer", () => {
  let drbdadm: string;
  let unshare: string;
  let dir: string;
  beforeAll(() => {
    drbdadm = requireTool("/usr/lib/drbd/drbdadm-84", "drbd-utils");
    unshare = requireTool("unshare", "util-linux");
    dir = tempDir("ibac-bkp-drbd-");
  });
  let n = 0;
  function drbdadmAs(host: string, text: string, ...command: string[]): ToolResult {
    const file = path.join(dir, `r${n++}.res`);
    fs.writeFileSync(file, text);
    // sh's positional parameters carry the values: nothing is spliced into the script text.
    return runTool(unshare, ["-u", "sh", "-c", 'hostname "$1" && shift && exec "$@"', "sh", host, drbdadm, "-c", file, ...command]);
  }

  for (const peer of PLAN.drbd.peers) {
    it(`${peer.vm}: drbdadm dump accepts it; -d up attaches the raw disk with fencing and connects with protocol C on port 7790`, () => {
      const dump = drbdadmAs(peer.vm, TEXT.drbdResource, "dump", "ibac-bkp");
      expect(dump.status, describeRun(dump)).toBe(0);
      expect(dump.stdout).toContain(`# resource ibac-bkp on ${peer.vm}: not ignored, not stacked`);
      const up = drbdadmAs(peer.vm, TEXT.drbdResource, "-d", "up", "ibac-bkp");
      expect(up.status, describeRun(up)).toBe(0);
      const other = PLAN.drbd.peers.find((p) => p.vm !== peer.vm);
      expect(up.stdout).toContain(`attach 0 ${PLAN.drbd.backingDisk} ${PLAN.drbd.backingDisk} internal --fencing=resource-and-stonith`);
      expect(up.stdout).toContain(`connect ibac-bkp ipv4:${peer.storageAddress}:7790 ipv4:${other?.storageAddress}:7790 --protocol=C --after-sb-0pri=discard-zero-changes --after-sb-1pri=disconnect --after-sb-2pri=disconnect`);
    });
  }

  it("mutant: on a storage VM's host name drbdadm finds no ibac-bkp for itself (exit 1)", () => {
    const result = drbdadmAs("s3-1", TEXT.drbdResource, "dump", "ibac-bkp");
    expect(result.status, describeRun(result)).toBe(1);
    expect(result.stderr).toContain("'ibac-bkp' not defined in your config (for this host).");
  });

  it("its facts as the policies read them", () => {
    const facts = drbdResourceFacts(TEXT.drbdResource);
    expect([facts.name, facts.protocol, facts.fencing, facts.peers.map((p) => `${p.host}@${p.address}:${p.port}`)]).toEqual(["ibac-bkp", "C", "resource-and-stonith", ["bkp-1@10.20.3.136:7790", "bkp-2@10.20.3.137:7790"]]);
  });
});

describe("the backup corosync.conf, read by the real corosync -t on each peer", () => {
  let dir: string;
  let checker: CorosyncCheck;
  beforeAll(() => {
    dir = tempDir("ibac-bkp-corosync-");
    checker = corosyncCheck(dir, "ibac-bkp-corosync");
  });

  /** corosync -t in a fresh network namespace (random name, removed after) whose loopback holds `local`. */
  const corosyncTest = (text: string, local: readonly string[]): ToolResult => checker.check(text, local);

  for (const stack of STACKS) {
    it(`${stack}: accepted on each backup VM (its storage address local), cluster ibac-bkp`, () => {
      const { spec, model } = loaded(stack);
      const plan = deriveBackupClusterPlan(spec, model);
      const text = backupClusterTextFiles(plan, 12, plan.drbd.peers[0].vm).corosyncConf;
      expect(text).toContain("cluster_name: ibac-bkp");
      for (const peer of plan.cluster.peers) {
        const result = corosyncTest(text, [peer.storageAddress]);
        expect(result.status, describeRun(result)).toBe(0);
      }
    });
  }

  it("mutant: on a host that is neither backup VM the file is refused (exit 8)", () => {
    const result = corosyncTest(TEXT.corosyncConf.replace("to_stderr: no", "to_stderr: yes"), []);
    expect(result.status, describeRun(result)).toBe(8);
    expect(result.stderr).toContain("No valid name found for local host");
  });
});

describe("the backup CIB, read by the real crm_verify (Pacemaker 2.1.5)", () => {
  let crmVerify: string;
  let dir: string;
  let n = 0;
  beforeAll(() => {
    crmVerify = requireTool("crm_verify", "pacemaker-cli-utils");
    dir = tempDir("ibac-bkp-cib-");
  });
  function verify(xml: string): ToolResult {
    const file = path.join(dir, `cib-${n++}.xml`);
    fs.writeFileSync(file, xml);
    return runTool(crmVerify, ["--xml-file", file, "-V"]);
  }
  const online = (text: string): string => withNodesOnline(text, PLAN.cluster.peers.map((p) => ({ id: p.nodeId, uname: p.vm, promotionScore: 10000 })), BACKUP_CIB_IDS.drbdPrimitive);

  for (const stack of STACKS) {
    it(`${stack}: the rendered file, and the same in a quorate cluster with both VMs online, pass with nothing to say at -V`, () => {
      const { spec, model } = loaded(stack);
      const text = backupClusterTextFiles(deriveBackupClusterPlan(spec, model), 12, "bkp-1").cib;
      for (const xml of [text, online(text)]) {
        const result = verify(xml);
        expect(result.status, describeRun(result)).toBe(0);
        expect(result.stdout + result.stderr).toBe("");
      }
    });
  }

  it("mutant: a colocation naming a group that does not exist is refused", () => {
    const result = verify(online(TEXT.cib.replace('rsc="backup-service" with-rsc=', 'rsc="backup-servic" with-rsc=')));
    expect(result.status, describeRun(result)).not.toBe(0);
    expect(result.stderr).toMatch(/unknown ID "backup-servic"/);
  });

  it("its facts: fencing on, two levels per VM, the delay on the first VM's devices, the group after the promotion with the Promoted role", () => {
    const facts = replicatedCibFacts(TEXT.cib, BACKUP_CIB_IDS);
    expect(facts.stonithEnabled).toBe(true);
    expect(facts.fencingLevels.map((l) => `${l.target}:${l.index}:${l.devices.join(",")}`)).toEqual([
      "bkp-1:1:fence-pve-bkp-1", "bkp-1:2:fence-ipmi-bkp-1", "bkp-2:1:fence-pve-bkp-2", "bkp-2:2:fence-ipmi-bkp-2",
    ]);
    expect(facts.fenceDevices.map((d) => [d.id, d.agent, d.delayMax ?? "-"])).toEqual([
      ["fence-pve-bkp-1", "fence_pve", "15s"], ["fence-ipmi-bkp-1", "fence_ipmilan", "15s"], ["fence-pve-bkp-2", "fence_pve", "-"], ["fence-ipmi-bkp-2", "fence_ipmilan", "-"],
    ]);
    expect(facts.serviceMemberAgents).toEqual(["ocf:heartbeat:Filesystem", "ocf:heartbeat:IPaddr2", "systemd:bacula-sd", "systemd:bacula-director"]);
    expect([facts.promotableAgent, facts.serviceColocatedWithPromoted, facts.serviceOrderedAfterPromote]).toEqual(["ocf:linbit:drbd", true, true]);
    expect(TEXT.cib).toContain(`value="${BACKUP_FENCE_PVE_USER}"`);
  });
});

describe("the drop-in that keeps Debian's Bacula units to the Promoted side, read by systemd-analyze verify", () => {
  function verify(dropIn: string, unit: "bacula-director" | "bacula-sd"): ToolResult {
    const analyze = requireTool("systemd-analyze", "systemd");
    const debianUnit = `/lib/systemd/system/${unit}.service`;
    if (!fs.existsSync(debianUnit)) throw new Error(`${debianUnit} is missing: apt-get install -y --no-install-recommends ${unit === "bacula-sd" ? "bacula-sd" : "bacula-director"}`);
    const binary = unit === "bacula-sd" ? "/usr/sbin/bacula-sd" : "/usr/sbin/bacula-dir";
    const root = makeVmRoot("ibac-bkp-unit-", [
      { path: `/etc/systemd/system/${unit}.service`, text: fs.readFileSync(debianUnit, "utf8"), mode: 0o644 },
      { path: BACKUP_CLUSTER_PATHS.unitDropIn(unit), text: dropIn, mode: 0o644 },
      { path: binary, text: "#!/bin/sh\nexit 0\n", mode: 0o755 },
      { path: "/bin/kill", text: "#!/bin/sh\nexit 0\n", mode: 0o755 },
    ], tempDirs);
    return runTool(analyze, ["verify", "--recursive-errors=no", "--man=no", `--root=${root}`, path.join(root, `/etc/systemd/system/${unit}.service`)]);
  }

  for (const unit of ["bacula-sd", "bacula-director"] as const) {
    it(`${unit}.service with the drop-in verifies without a word`, () => {
      const result = verify(TEXT.unitDropIn, unit);
      expect(result.status, describeRun(result)).toBe(0);
      expect(result.stdout + result.stderr).toBe("");
    });
  }

  it("the drop-in asserts the mount and leaves restarts to Pacemaker", () => {
    expect(TEXT.unitDropIn).toContain("AssertPathIsMountPoint=/srv/bacula\n");
    expect(TEXT.unitDropIn).toContain("Restart=no\n");
  });

  it("mutant: a misspelt key is reported (the check can fail)", () => {
    const result = verify(TEXT.unitDropIn.replace("AssertPathIsMountPoint", "AssertPathIsMountpoint"), "bacula-director");
    expect(result.stdout + result.stderr).toMatch(/Unknown key 'AssertPathIsMountpoint' in section \[Unit\]/);
  });
});

describe("the backup scripts", () => {
  it("bash -n accepts the packages script and both setup scripts", () => {
    const bash = requireTool("bash", "bash");
    const dir = tempDir("ibac-bkp-scripts-");
    for (const [name, text] of [["packages", TEXT.packagesScript], ["setup-1", TEXT.setupScript], ["setup-2", backupClusterTextFiles(PLAN, 12, SECOND.vm).setupScript]]) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text);
      const result = runTool(bash, ["-n", file]);
      expect(result.status, describeRun(result)).toBe(0);
    }
  });

  it("the packages script installs Bacula with the cluster and keeps its units off outside Pacemaker", () => {
    expect(TEXT.packagesScript).toMatch(/install -y --no-install-recommends drbd-utils .* bacula-sd bacula-director-sqlite3\n/);
    expect(TEXT.packagesScript).toContain("systemctl disable bacula-sd.service bacula-director.service\nif ! systemctl is-active --quiet pacemaker; then\n  systemctl stop bacula-sd.service bacula-director.service\nfi\n");
  });

  it("only the first VM makes the file system (label ibac-bkp) and loads the CIB; both start corosync, the QDevice and Pacemaker", () => {
    const second = backupClusterTextFiles(PLAN, 12, SECOND.vm).setupScript;
    expect(TEXT.setupScript).toContain("mkfs.ext4 -q -L ibac-bkp /dev/drbd0");
    expect(TEXT.setupScript).toContain(`cibadmin --replace --scope configuration --xml-file ${BACKUP_CLUSTER_PATHS.cibConfiguration}`);
    expect(second).not.toContain("mkfs.ext4");
    expect(second).not.toContain("cibadmin");
    for (const text of [TEXT.setupScript, second]) {
      expect(text).toContain("install -d -m 0750 /srv/bacula\n");
      expect(text).toContain("systemctl enable --now corosync-qdevice || echo 'ibac-backup-cluster-setup: corosync-qdevice did not start");
      expect(text).toContain(`base64 -d ${BACKUP_CLUSTER_PATHS.corosyncAuthkeyBase64} > "$state/authkey.new"`);
    }
  });
});

describe("backupClusterFiles and declareBackupClusterSecrets under pulumi.runtime.setMocks (a plan, not a deployment)", () => {
  const mocks = new OfflinePlanMocks(PROD.model, "prod");
  let secrets: BackupClusterSecrets;
  let files: RenderedFile[];
  const service: RenderedFile = { path: "/etc/bacula/bacula-dir.conf", content: "Director {}\n", mode: "0640", owner: "root:bacula" };

  beforeAll(async () => {
    await pulumi.runtime.setMocks(mocks, "ibac-platform", "prod", false);
    const { scope, recorded } = recordingScope("t");
    secrets = declareBackupClusterSecrets("t-bkp", { spec: PROD.spec, model: PROD.model, secrets: { fenceIpmiPassword: pulumi.secret("bmc-password-under-mocks") }, proxmoxCaPem: "-----BEGIN CERTIFICATE-----\n" }, scope);
    files = backupClusterFiles(PROD.spec, PROD.model, FIRST.vm, secrets, { serviceFiles: [service] });
    await settle(recorded);
  });

  it("(mocks) the files in install order: packages, the Bacula files, DRBD, corosync, fencing, CIB, drop-ins, setup, digest", () => {
    expect(files.map((f) => f.path)).toEqual([
      BACKUP_CLUSTER_PATHS.packagesScript,
      "/etc/bacula/bacula-dir.conf",
      "/etc/drbd.d/ibac-bkp.res",
      "/etc/corosync/corosync.conf",
      BACKUP_CLUSTER_PATHS.corosyncAuthkeyBase64,
      BACKUP_CLUSTER_PATHS.fencePveSecret,
      BACKUP_CLUSTER_PATHS.fenceIpmiSecret,
      "/etc/ibac/fence/pve-password",
      BACKUP_CLUSTER_PATHS.proxmoxCa,
      "/etc/ibac/fence/ipmi-password-pve1",
      "/etc/ibac/fence/ipmi-password-pve2",
      BACKUP_CLUSTER_PATHS.cibConfiguration,
      BACKUP_CLUSTER_PATHS.unitDropIn("bacula-sd"),
      BACKUP_CLUSTER_PATHS.unitDropIn("bacula-director"),
      BACKUP_CLUSTER_PATHS.setupScript,
      `${BACKUP_CLUSTER_PATHS.stateDir}/deployed.sha256`,
    ]);
    expect(files[0].afterChange).toBe(BACKUP_CLUSTER_PATHS.packagesScript);
    expect(files[files.length - 1].afterChange).toBe(BACKUP_CLUSTER_PATHS.setupScript);
  });

  it("(mocks) every secret is a root-only secret Output; the CIB is not world-readable", async () => {
    for (const p of [BACKUP_CLUSTER_PATHS.corosyncAuthkeyBase64, BACKUP_CLUSTER_PATHS.fencePveSecret, BACKUP_CLUSTER_PATHS.fenceIpmiSecret, `${BACKUP_CLUSTER_PATHS.stateDir}/deployed.sha256`]) {
      const file = files.find((f) => f.path === p);
      expect([file?.mode, file?.owner], p).toEqual(["0600", "root:root"]);
      expect(await pulumi.isSecret(pulumi.output(file?.content)), p).toBe(true);
    }
    expect(files.find((f) => f.path === BACKUP_CLUSTER_PATHS.cibConfiguration)?.mode).toBe("0640");
    for (const p of ["/etc/ibac/fence/pve-password", "/etc/ibac/fence/ipmi-password-pve1"]) expect(files.find((f) => f.path === p)?.mode).toBe("0700");
  });

  it("(mocks) the backup cluster's own Proxmox user, allowed on the two backup VMs only, with its password sent as a secret", () => {
    const user = mocks.registrations.find((r) => r.type === RESOURCE_TYPES.UserLegacy && r.name === "t-bkp-fence-user");
    const role = mocks.registrations.find((r) => r.type === RESOURCE_TYPES.RoleLegacy && r.name === "t-bkp-fence-role");
    expect(openInput(user, "userId")).toBe(BACKUP_FENCE_PVE_USER);
    expect(isSentAsSecret(user, "password")).toBe(true);
    expect((openInput(user, "acls") as { path: string }[]).map((a) => a.path)).toEqual(["/vms/1600", "/vms/1601"]);
    expect(openInput(role, "roleId")).toBe("IbacFenceBackup");
    expect(openInput(role, "privileges")).toEqual(["VM.Audit", "VM.PowerMgmt"]);
  });

  it("(mocks) refuses a VM that is not a backup VM, and a stack without the BMC password", () => {
    expect(() => backupClusterFiles(PROD.spec, PROD.model, "s3-1", secrets)).toThrow(new Error('backupClusterFiles: "s3-1" is not a backup VM (bkp-1, bkp-2)'));
    const { scope } = recordingScope("t2");
    expect(() => declareBackupClusterSecrets("t2-bkp", { spec: PROD.spec, model: PROD.model, secrets: {}, proxmoxCaPem: "" }, scope))
      .toThrow(new Error("the backup cluster's second fencing level (the nodes' BMCs) needs the Pulumi secret ibac:fenceIpmiPassword: pulumi config set --secret ibac:fenceIpmiPassword"));
  });
});
