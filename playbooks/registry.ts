import type { Runbook } from "./engine/types";
import { dbSwitchover } from "./database/db-switchover";
import { dbFailover } from "./database/db-failover";
import { dbRejoin } from "./database/db-rejoin";
import { dbReclone } from "./database/db-reclone";
import { dbRestorePitr } from "./database/db-restore-pitr";

/** Every runbook `ibac runbook` knows, by name. */
export const RUNBOOKS: ReadonlyMap<string, Runbook> = new Map(
  [dbSwitchover, dbFailover, dbRejoin, dbRestorePitr, dbReclone].map((r) => [r.name, r]),
);
