import type { Inventory } from "./engine/inventory";
import type { Runbook } from "./engine/types";
import type { StorageInventory } from "./storage/inventory";
import type { LoadBalancerInventory } from "./loadbalancer/inventory";
import { dbSwitchover } from "./database/db-switchover";
import { dbFailover } from "./database/db-failover";
import { dbRejoin } from "./database/db-rejoin";
import { dbReclone } from "./database/db-reclone";
import { dbRestorePitr } from "./database/db-restore-pitr";
import { storageStatus } from "./storage/storage-status";
import { storageSwitchover } from "./storage/storage-switchover";
import { storageSplitBrain } from "./storage/storage-split-brain";
import { lbStatus } from "./loadbalancer/lb-status";
import type { BackupInventory } from "./backup/inventory";
import { makeBackupRestore } from "./backup/backup-restore";
import { makeBackupVerify } from "./backup/backup-verify";

/** A runbook with the tier whose inventory it reads: the CLI builds that inventory for it. */
export type RegisteredRunbook =
  | { tier: "database"; runbook: Runbook<Inventory> }
  | { tier: "objectStore"; runbook: Runbook<StorageInventory> }
  | { tier: "loadBalancer"; runbook: Runbook<LoadBalancerInventory> }
  | { tier: "backup"; runbook: Runbook<BackupInventory> };

/** Every runbook `ibac runbook` knows, by name. */
export const RUNBOOKS: ReadonlyMap<string, RegisteredRunbook> = new Map(
  [
    ...[dbSwitchover, dbFailover, dbRejoin, dbRestorePitr, dbReclone].map((runbook): RegisteredRunbook => ({ tier: "database", runbook })),
    ...[storageStatus, storageSwitchover, storageSplitBrain].map((runbook): RegisteredRunbook => ({ tier: "objectStore", runbook })),
    ...[lbStatus].map((runbook): RegisteredRunbook => ({ tier: "loadBalancer", runbook })),
    ...[makeBackupRestore(), makeBackupVerify()].map((runbook): RegisteredRunbook => ({ tier: "backup", runbook })),
  ].map((r) => [r.runbook.name, r]),
);
