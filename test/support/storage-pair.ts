// A recording transport that answers the storage runbooks' commands from a scripted state of the two VMs
// (DRBD outputs of test/fixtures/storage/proc-drbd.ts, crm_mon XML from the real crm_mon), and changes that
// state as the real commands would: the move and the clear, the discard and the reconnection. It proves the
// runbooks' logic and the commands they send; the commands' effect on a live pair is not proven by it.
import { RunbookInputError } from "../../playbooks/engine/errors";
import type { CommandResult, EngineHost, HostTransport } from "../../playbooks/engine/types";
import type { StorageInventory } from "../../playbooks/storage/inventory";
import { commands } from "../../playbooks/storage/pair";
import { minioHealthCommand } from "../../playbooks/storage/storage-status";
import { splitBrainCommands } from "../../playbooks/storage/storage-split-brain";
import { DRBDADM, DUMPE2FS, GET_GI, JOURNAL, PROC_DRBD } from "../fixtures/storage/proc-drbd";
import { crmMonSample, type CrmMonScenario } from "./crm-mon-samples";

export type DrbdSample = keyof typeof DRBDADM;

export interface VmState {
  drbd: DrbdSample;
  /** What drbdadm answers when it differs from /proc/drbd (it should not). */
  adm?: DrbdSample;
  gi: string;
  journal: string;
  minio: "active" | "inactive" | "unknown";
  /** The mount point of the DRBD device, "" when not mounted, or "unknown" (findmnt missing). */
  mounted: string;
  /** crm_mon on this VM: a scenario, or a failure (Pacemaker not running). */
  crmMon: CrmMonScenario | "fails";
  curl: number;
  /** Bytes of the backing disk and free in the copy's directory; files that exist, with their sizes. */
  diskBytes: number;
  freeBytes: number;
  files: Map<string, number>;
}

export const storageInventory: StorageInventory = {
  stack: "lab",
  drbd: { resource: "ibac-s3", device: "/dev/drbd0", backingDisk: "/dev/vdb" },
  service: { address: "10.30.0.12", serverName: "s3.lab.ibac.example", port: 9000, mountPoint: "/srv/minio", caFile: "/etc/ibac/tls/ca.pem" },
  hosts: [
    { name: "s3-1", address: "10.30.0.21", ssh: { port: 22, user: "root", sudo: false } },
    { name: "s3-2", address: "10.30.0.22", ssh: { port: 22, user: "root", sudo: false } },
  ],
};

const vm = (drbd: DrbdSample, overrides: Partial<VmState> = {}): VmState => ({
  drbd, gi: GET_GI.sameS3_1, journal: "", minio: "inactive", mounted: "", crmMon: "healthy", curl: 0, diskBytes: 8 * 2 ** 30, freeBytes: 50 * 2 ** 30, files: new Map(), ...overrides,
});

/** The healthy pair: s3-1 Primary and Promoted, running MinIO; s3-2 Secondary; in sync. */
export function healthyPair(): Record<string, VmState> {
  return {
    "s3-1": vm("primaryConnected", { minio: "active", mounted: "/srv/minio", gi: GET_GI.sameS3_1 }),
    "s3-2": vm("secondaryConnected", { gi: GET_GI.sameS3_2 }),
  };
}

/** A split brain: both StandAlone with diverged generations; Pacemaker kept s3-1 Promoted. */
export function splitBrainPair(): Record<string, VmState> {
  return {
    "s3-1": vm("standAlonePrimary", { minio: "active", mounted: "/srv/minio", gi: GET_GI.splitS3_1, journal: JOURNAL.splitBrain }),
    "s3-2": vm("standAloneSecondary", { gi: GET_GI.splitS3_2, journal: JOURNAL.splitBrain.replace("s3-1", "s3-2") }),
  };
}

const ok = (stdout = ""): CommandResult => ({ code: 0, stdout, stderr: "" });
const failed = (code: number, stderr = ""): CommandResult => ({ code, stdout: "", stderr });

export class StoragePair implements HostTransport {
  readonly ran: { host: string; command: string }[] = [];
  readonly unreachable = new Set<string>();
  /** Commands that do nothing to the state (a move Pacemaker does not carry out). */
  readonly ineffective = new Set<string>();
  /** crm_mon answers that fail right after the move (the cluster between transitions). */
  flakyAfterMove = 0;
  private crmMonFailures = 0;
  /** The CIB's constraints, cluster-wide, and the node crm-fence-peer.sh's constraint leaves the role to. */
  constraints: CrmMonScenario = "healthy";
  fencedFor?: string;

  constructor(readonly vms: Record<string, VmState>) {}

  async connect(host: EngineHost): Promise<void> {
    if (this.unreachable.has(host.name)) throw new RunbookInputError(`${host.name} (root@${host.address}:22): unreachable (ECONNREFUSED)`);
    await Promise.resolve();
  }

  async exec(host: EngineHost, command: string): Promise<CommandResult> {
    await this.connect(host);
    this.ran.push({ host: host.name, command });
    return this.answer(host.name, command);
  }

  async pipe(): Promise<{ from: CommandResult; to: CommandResult }> {
    return Promise.reject(new Error("the storage runbooks stream nothing"));
  }

  async close(): Promise<void> {
    await Promise.resolve();
  }

  private setCrmMon(scenario: CrmMonScenario): void {
    for (const v of Object.values(this.vms)) if (v.crmMon !== "fails") v.crmMon = scenario;
  }

  private answer(name: string, command: string): CommandResult {
    const me = this.vms[name];
    const peer = Object.entries(this.vms).find(([n]) => n !== name)?.[1];
    if (!me || !peer) throw new Error(`no VM ${name}`);
    const inv = storageInventory;
    const res = inv.drbd.resource;
    const effective = !this.ineffective.has(command);
    switch (command) {
      case commands.procDrbd: return ok(PROC_DRBD[me.drbd]);
      case commands.drbdadmState(res): return ok(DRBDADM[me.adm ?? me.drbd]);
      case commands.getGi(res): return ok(me.gi);
      case commands.crmMon:
        if (this.crmMonFailures > 0) {
          this.crmMonFailures -= 1;
          return failed(102, "crm_mon: Error: connection to the CIB manager failed");
        }
        return me.crmMon === "fails" ? failed(102, "crm_mon: Error: cluster is not available on this node") : ok(crmMonSample(me.crmMon).crmMon);
      case commands.constraints: {
        const xml = crmMonSample(this.constraints).constraints;
        // The element crm-fence-peer.sh writes (its template, with the clone's id and the surviving node).
        return ok(this.fencedFor === undefined ? xml : xml.replace("</constraints>", `  <rsc_location rsc="storage-drbd-clone" id="drbd-fence-by-handler-storage-drbd-clone">\n    <rule role="Promoted" score="-INFINITY" id="drbd-fence-by-handler-rule-storage-drbd-clone">\n      <expression attribute="#uname" operation="ne" value="${this.fencedFor}" id="drbd-fence-by-handler-expr-storage-drbd-clone"/>\n    </rule>\n  </rsc_location>\n</constraints>`));
      }
      case minioHealthCommand(inv, inv.service.caFile ?? ""): return me.curl === 0 ? ok() : failed(me.curl, "curl: (7) Failed to connect");
      case commands.move("s3-2"):
        if (effective) {
          this.setCrmMon("moved-to-s3-2");
          this.crmMonFailures = this.flakyAfterMove;
          this.constraints = "moved-to-s3-2";
          this.vms["s3-1"].drbd = "secondaryConnected";
          this.vms["s3-2"].drbd = "primaryConnected";
        }
        return ok();
      case commands.clear:
        if (effective) this.constraints = "healthy";
        return ok("Removing constraint: cli-prefer-storage-drbd-clone\n");
      case splitBrainCommands.journal: return ok(me.journal);
      case splitBrainCommands.dumpe2fs(inv.drbd.backingDisk): return ok(DUMPE2FS);
      case splitBrainCommands.minioActive: return me.minio === "active" ? ok("active\n") : me.minio === "inactive" ? { code: 3, stdout: "inactive\n", stderr: "" } : failed(127, "sh: systemctl: not found");
      case splitBrainCommands.mounted(inv.drbd.device):
        if (me.mounted === "unknown") return failed(127, "sh: findmnt: not found");
        return me.mounted ? ok(`${me.mounted}\n`) : failed(1);
      case splitBrainCommands.size(inv.drbd.backingDisk): return ok(`${me.diskBytes}\n`);
      case splitBrainCommands.disconnect(res): return ok();
      case splitBrainCommands.secondary(res):
        if (me.mounted) return failed(11, "0: State change failed: (-12) Device is held open by someone");
        if (effective) me.drbd = me.drbd === "standAlonePrimary" ? "standAloneSecondary" : me.drbd;
        return ok();
      case splitBrainCommands.discard(res):
        if (effective) me.drbd = "wfConnectionSecondary";
        return ok();
      case splitBrainCommands.connect(res):
        if (effective && peer.drbd === "wfConnectionSecondary") {
          me.drbd = "syncSource";
          peer.drbd = "syncTarget";
        } else if (effective) me.drbd = "wfConnectionPrimary";
        return ok();
    }
    const free = /^df --output=avail -B1 (\S+) \| tail -n 1$/.exec(command);
    if (free) return ok(`${me.freeBytes}\n`);
    const absent = /^test ! -e (\S+)$/.exec(command);
    if (absent) return me.files.has(absent[1]) ? failed(1) : ok();
    const stat = /^stat -c %s (\S+)$/.exec(command);
    if (stat) return me.files.has(stat[1]) ? ok(`${me.files.get(stat[1])}\n`) : failed(1, "stat: cannot statx: No such file or directory");
    const dd = /^umask 077 && dd if=(\S+) of=(\S+) bs=4M conv=sparse,fsync status=none$/.exec(command);
    if (dd) {
      if (effective) me.files.set(dd[2], me.diskBytes);
      return ok();
    }
    throw new Error(`the scripted pair has no answer for \`${command}\` on ${name}`);
  }
}
