import * as path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { runRunbook, type RunRunbookArgs } from "../engine/run-runbook";
import { AuditLog } from "../engine/audit-log";
import type { StorageInventory } from "./inventory";
import { storageStatus } from "./storage-status";
import { healthyPair, splitBrainPair, StoragePair, storageInventory } from "../../test/support/storage-pair";
import { RUNBOOK_EXIT } from "../../cli/runbook/command";
import { GET_GI } from "../../test/fixtures/storage/proc-drbd";
import { testTempDir } from "../../test/support/test-temp-dir";

// Engine-level: the real engine and runbook, a scripted transport (test/support/storage-pair.ts). Unproven
// here: the run against a live DRBD pair and Pacemaker (DRBD runs only in the qemu guests of issue 12 item 4).
describe("storage-status (engine, scripted pair)", () => {
  let lines: string[];
  let args: (pair: StoragePair, inventory?: StorageInventory) => RunRunbookArgs<StorageInventory>;

  beforeEach(() => {
    const dir = testTempDir("ibac-storage-status-");
    lines = [];
    args = (pair, inventory = storageInventory) => ({
      runbook: storageStatus, inventory, transport: pair, options: {}, dryRun: false, yes: false,
      audit: new AuditLog(path.join(dir, "audit.jsonl")), operator: "tester", commandLine: "ibac runbook storage-status --stack lab",
      say: (line) => lines.push(line),
    });
  });

  it("a healthy pair: a one-screen summary, only probes, exit 0", async () => {
    const pair = new StoragePair(healthyPair());
    const outcome = await runRunbook(args(pair));
    expect(outcome.status).toBe("completed");
    expect(RUNBOOK_EXIT[outcome.status]).toBe(0);
    expect(outcome.commands.every((c) => c.kind === "probe")).toBe(true);
    expect(lines).toEqual(expect.arrayContaining([
      "    DRBD ibac-s3 (/dev/drbd0):",
      "      s3-1: Primary, Connected, UpToDate/UpToDate, 0 KiB out of sync",
      "      s3-2: Secondary, Connected, UpToDate/UpToDate, 0 KiB out of sync",
      "    Pacemaker (as s3-1 sees it): quorate, DC s3-1; s3-1 online, s3-2 online",
      "      Promoted: s3-1; storage-service: s3-1; failed actions: none; fencing history: not reported",
      "    MinIO (https://s3.lab.ibac.example:9000/minio/health/live from s3-1): live",
      "verdict: healthy",
    ]));
    expect(pair.ran).toContainEqual({ host: "s3-1", command: "curl -fsS --max-time 5 --cacert /etc/ibac/tls/ca.pem --resolve s3.lab.ibac.example:9000:10.30.0.12 https://s3.lab.ibac.example:9000/minio/health/live" });
  });

  it("a dry run is the same probes and the same verdict", async () => {
    const outcome = await runRunbook({ ...args(new StoragePair(healthyPair())), dryRun: true });
    expect(outcome.status).toBe("dry-run");
    expect(lines.some((l) => l.includes("would run"))).toBe(false);
  });

  it("a resync in progress and a disconnected peer: degraded, exit 5", async () => {
    const vms = healthyPair();
    vms["s3-1"].drbd = "syncSource";
    vms["s3-2"].drbd = "syncTarget";
    const outcome = await runRunbook(args(new StoragePair(vms)));
    expect(outcome.status).toBe("degraded");
    expect(RUNBOOK_EXIT[outcome.status]).toBe(5);
    expect(lines).toEqual(expect.arrayContaining([
      "    DEGRADED: s3-1: ibac-s3 is SyncSource (25% done)",
      "    DEGRADED: s3-2: its disk is Inconsistent, not UpToDate",
      "    DEGRADED: s3-1: 13860 KiB out of sync with its peer",
    ]));
  });

  it("a failed action is named with its node and exit code", async () => {
    const vms = healthyPair();
    for (const v of Object.values(vms)) v.crmMon = "minio-monitor-failed";
    expect((await runRunbook(args(new StoragePair(vms)))).status).toBe("degraded");
    expect(lines).toContain("    DEGRADED: failed action storage-minio_monitor_30000 on s3-1 (exit 7, not running): crm_resource --cleanup once understood");
  });

  it("MinIO not live: down, exit 6", async () => {
    const vms = healthyPair();
    vms["s3-1"].curl = 7;
    const outcome = await runRunbook(args(new StoragePair(vms)));
    expect(outcome.status).toBe("down");
    expect(RUNBOOK_EXIT[outcome.status]).toBe(6);
    expect(lines).toContain("    DOWN: MinIO's liveness check failed from s3-1 (curl exit 7)");
  });

  it("without curl on the VM, MinIO's health is unknown: degraded, not down", async () => {
    const vms = healthyPair();
    vms["s3-1"].curl = 127;
    expect((await runRunbook(args(new StoragePair(vms)))).status).toBe("degraded");
    expect(lines).toContain("    MinIO: not probed: curl is not installed on s3-1");
    expect(lines).toContain("    DEGRADED: MinIO's health is unknown: curl is not installed on s3-1");
  });

  it("a VM that does not answer is a finding, not a stop", async () => {
    const vms = healthyPair();
    vms["s3-2"].crmMon = "s3-2-offline";
    vms["s3-1"].crmMon = "s3-2-offline";
    const pair = new StoragePair(vms);
    pair.unreachable.add("s3-2");
    const outcome = await runRunbook(args(pair));
    expect(outcome.status).toBe("degraded");
    expect(lines).toContain("note: s3-2 (root@10.30.0.22:22): unreachable (ECONNREFUSED) (allowed for storage-status)");
    expect(lines).toContain("      s3-2: not readable: s3-2 (root@10.30.0.22:22): unreachable (ECONNREFUSED)");
    expect(lines).toContain("    DEGRADED: s3-2 is offline in Pacemaker");
  });

  it("nothing Promoted and the service stopped: down", async () => {
    const vms = healthyPair();
    for (const v of Object.values(vms)) v.crmMon = "nothing-promoted";
    expect((await runRunbook(args(new StoragePair(vms)))).status).toBe("down");
    expect(lines).toContain("    DOWN: the DRBD clone is Promoted nowhere");
    expect(lines).toContain("    DOWN: storage-service does not run (storage-fs: stopped; storage-ip: stopped; storage-minio: stopped; storage-haproxy: stopped)");
    expect(lines).toContain("    MinIO: not probed (the service group runs nowhere)");
  });

  it("a split brain (both disconnected, diverged generations): down", async () => {
    expect((await runRunbook(args(new StoragePair(splitBrainPair())))).status).toBe("down");
    expect(lines).toContain("    DOWN: split brain: neither side is connected and both changed data since they parted; storage-split-brain shows both sides and which to keep");
  });

  it("both disconnected but one only lags: degraded, with the command that reconnects them", async () => {
    const vms = splitBrainPair();
    vms["s3-2"].gi = GET_GI.laggingS3_2;
    expect((await runRunbook(args(new StoragePair(vms)))).status).toBe("degraded");
    expect(lines).toContain("    DEGRADED: neither side is connected; only s3-1 changed data since they parted: `drbdadm connect ibac-s3` on each resyncs s3-2 from it");
  });

  it("a move constraint left in place pins the role: degraded", async () => {
    const pair = new StoragePair(healthyPair());
    pair.constraints = "moved-to-s3-2";
    expect((await runRunbook(args(pair))).status).toBe("degraded");
    expect(lines).toContain("    DEGRADED: move/ban constraints left in place (cli-prefer-storage-drbd-clone): they pin the Promoted role; crm_resource --clear removes them");
  });

  it("DRBD's fence handler's constraint: degraded, naming the node it leaves the role to", async () => {
    const pair = new StoragePair(healthyPair());
    pair.fencedFor = "s3-1";
    expect((await runRunbook(args(pair))).status).toBe("degraded");
    expect(lines).toContain("    DEGRADED: DRBD's fence handler allows the Promoted role only on s3-1 (drbd-fence-by-handler-storage-drbd-clone): the peer is outdated until it resyncs; crm-unfence-peer.sh removes the constraint then");
  });

  it("without a CA file MinIO is not probed, and the summary says why", async () => {
    const service = { ...storageInventory.service };
    delete service.caFile;
    const pair = new StoragePair(healthyPair());
    expect((await runRunbook(args(pair, { ...storageInventory, service }))).status).toBe("completed");
    expect(lines).toContain("    MinIO: not probed: the inventory names no CA file (service.caFile) to verify its certificate with, and it is never probed unverified");
    expect(pair.ran.some((r) => r.command.startsWith("curl"))).toBe(false);
  });
});
