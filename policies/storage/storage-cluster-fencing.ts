import { deliveredFiles } from "../kit/rendered-files";
import { pendingFiles, isDelivered } from "../kit/pending-files";
import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { vmUrn } from "../kit/platform-view";
import { cibFacts, type CibFacts } from "../../components/storage/cib-facts";
import { DRBD_CLONE_ID, SERVICE_GROUP_ID } from "../../components/storage/cib-resource-ids";
import { checkClusterCib } from "./cluster-cib-checks";
import { STORAGE_PATHS } from "../../components/storage/paths";

const CIB = STORAGE_PATHS.cibConfiguration;

/**
 * Seed design, "Photo and Logging Storage" and "Failure & recovery", with ARCHITECTURE.md's fencing: the storage
 * cluster's CIB, as each storage VM is given it, fences before it promotes. Stonith is on; every storage VM has
 * two fencing levels whose devices exist, none of which runs on the node it fences; the DRBD volume is a
 * promotable ocf:linbit:drbd clone, and the service group (file system, address, MinIO) runs only with the
 * Promoted role and starts only after the promotion; the half without quorum stops rather than freezes; no
 * password is written into the CIB.
 */
export function storageClusterFencingPolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "storage-cluster-fencing",
    description:
      "The storage cluster's CIB enables stonith with two fencing levels per storage VM (fence_pve, then the node's BMC), keeps each device off the node it fences, runs MinIO's group only with the Promoted DRBD role and after the promotion, stops without quorum, and holds no password.",
    requirements: ["IBAC-STO-001"],
    severity: "high",
    enforcementLevel: "mandatory",
  }, async (view, resources, report) => {
    const files = await deliveredFiles(resources, view.model);
    const pending = await pendingFiles(resources, view.model);
    const storageVms = view.model.vms.filter((v) => v.tier === "objectStore");
    for (const vm of storageVms) {
      const file = files.find((f) => f.vm === vm.name && f.path === CIB);
      if (!file) {
        if (!isDelivered(files, pending, vm.name, CIB)) reportFinding(report, { subject: `${vm.name}'s cluster configuration`, observed: "no Pacemaker CIB delivered", expected: `${CIB} with the storage cluster's fencing and resources`, urn: vmUrn(resources, vm.name, view.urn), location: CIB });
        continue;
      }
      let facts: CibFacts;
      try {
        facts = cibFacts(file.content);
      } catch (err) {
        reportFinding(report, { subject: `Pacemaker CIB on ${vm.name}`, observed: `unreadable: ${(err as Error).message}`, expected: "a CIB document", urn: file.urn, location: CIB });
        continue;
      }
      const finding = (observed: string, expected: string, where: string): void => reportFinding(report, { subject: `Pacemaker CIB on ${vm.name}`, observed, expected, urn: file.urn, location: `${CIB}: ${where}` });
      checkClusterCib(facts, storageVms.map((v) => v.name), { drbdClone: DRBD_CLONE_ID, group: SERVICE_GROUP_ID }, finding);
    }
  });
}
