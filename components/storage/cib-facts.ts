import { replicatedCibFacts, type CibFacts } from "../replicated-volume/cib-facts";
import { DRBD_CLONE_ID, SERVICE_GROUP_ID } from "./cib-resource-ids";

// The reader is shared with every replicated-volume cluster (replicated-volume/cib-facts.ts); the storage
// cluster's facts are read with its own clone and group ids.
export { devicesThatMayFenceTheirOwnNode, fencingLevelsFor, fencingLevelsNamingUnknownDevices } from "../replicated-volume/cib-facts";
export type { CibFacts, FenceDeviceFact, FencingLevelFact } from "../replicated-volume/cib-facts";

/** The facts of the storage cluster's CIB (the rendered file, or `cibadmin --query` output). */
export function cibFacts(xml: string): CibFacts {
  return replicatedCibFacts(xml, { drbdClone: DRBD_CLONE_ID, group: SERVICE_GROUP_ID });
}
