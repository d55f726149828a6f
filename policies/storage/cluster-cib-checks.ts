import { devicesThatMayFenceTheirOwnNode, fencingLevelsFor, fencingLevelsNamingUnknownDevices, type CibFacts } from "../../components/replicated-volume/cib-facts";
import type { CibResourceIds } from "../../components/replicated-volume/plan";

// The checks of a replicated-volume cluster's CIB, said once: the storage cluster's (storage-cluster-fencing)
// and the backup cluster's (backup-volume-drbd) are judged by the same rules, each with its own ids.

/** Reports one finding: what was seen, what was expected, where in the CIB. */
export type CibFinding = (observed: string, expected: string, where: string) => void;

/**
 * The cluster fences before it promotes: stonith on, two fencing levels for each of `targets` made of defined
 * devices, none running on the node it fences, no password in the CIB, a promotable ocf:linbit:drbd clone, and
 * the group colocated with the Promoted role and started after the promotion; no quorum means stop.
 */
export function checkClusterCib(facts: CibFacts, targets: readonly string[], ids: Pick<CibResourceIds, "drbdClone" | "group">, finding: CibFinding): void {
  if (!facts.stonithEnabled) finding("stonith-enabled=false", "stonith-enabled=true (a lost peer is fenced before its role is taken over)", "crm_config.stonith-enabled");
  if (facts.noQuorumPolicy !== "stop") finding(`no-quorum-policy=${facts.noQuorumPolicy}`, "no-quorum-policy=stop (the half without quorum releases the service)", "crm_config.no-quorum-policy");
  for (const target of targets) {
    const levels = fencingLevelsFor(facts, target);
    if (levels.length < 2) finding(`${levels.length} fencing level${levels.length === 1 ? "" : "s"} for ${target}`, `two fencing levels for ${target} (fence_pve, then the node's BMC)`, "fencing-topology");
  }
  const unknown = fencingLevelsNamingUnknownDevices(facts);
  if (unknown.length) finding(`fencing levels naming devices the CIB does not define: ${unknown.join(", ")}`, "levels made of defined fence devices", "fencing-topology");
  const ownNode = devicesThatMayFenceTheirOwnNode(facts);
  if (ownNode.length) finding(`devices that may run on the node they fence: ${ownNode.join(", ")}`, "each fence device kept off its target (a -INFINITY location)", "constraints");
  const inline = facts.fenceDevices.filter((d) => d.inlinePassword).map((d) => d.id);
  if (inline.length) finding(`a password written into the CIB: ${inline.join(", ")}`, "password_script, the password in a root-only file", "resources");
  if (facts.promotableAgent !== "ocf:linbit:drbd") finding(facts.promotableAgent ? `promotable ${facts.promotableAgent}` : "no promotable DRBD clone", "a promotable clone of ocf:linbit:drbd", "resources");
  if (!facts.serviceColocatedWithPromoted) finding("the service group is not colocated with the Promoted DRBD role", `a colocation of ${ids.group} with the Promoted role (INFINITY)`, "constraints");
  if (!facts.serviceOrderedAfterPromote) finding("the service group may start before the promotion", `a mandatory order: promote ${ids.drbdClone}, then start ${ids.group}`, "constraints");
}
