import { deliveredFiles } from "../kit/rendered-files";
import { pendingFiles, fileKey } from "../kit/pending-files";
import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { vmUrn } from "../kit/platform-view";
import { checkDrbdResourceFile, isDrbdResourceFile, type DrbdCluster } from "./drbd-resource-checks";

const STORAGE_CLUSTER: DrbdCluster = { tier: "objectStore", vmNoun: "storage VM" };

/**
 * Seed design, "Photo and Logging Storage" (MinIO on a DRBD-backed volume) and "Failure & recovery": the object
 * store's volume is replicated synchronously between its two VMs on different nodes, a Primary that loses its
 * peer waits for the cluster to fence it before going on, and a split brain is never settled by discarding
 * writes. Judged from the DRBD resource file the stack delivers to each storage VM.
 */
export function storageDrbdReplicationPolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "storage-drbd-replication",
    description:
      "Each object-store VM gets a DRBD resource replicating its volume to the other storage VM on another node: protocol C, fencing resource-and-stonith with the crm fence and unfence handlers, and split-brain policies that never discard changed data.",
    requirements: ["IBAC-STO-001"],
    severity: "high",
    enforcementLevel: "mandatory",
  }, async (view, resources, report) => {
    const files = await deliveredFiles(resources, view.model);
    const pending = await pendingFiles(resources, view.model);
    for (const vm of view.model.vms.filter((v) => v.tier === "objectStore")) {
      const resourceFiles = files.filter((f) => f.vm === vm.name && isDrbdResourceFile(f.path));
      const pendingHere = [...pending].some((key) => key.startsWith(fileKey(vm.name, "/etc/drbd.d/")));
      if (!resourceFiles.length) {
        if (!pendingHere) reportFinding(report, { subject: `${vm.name}'s volume`, observed: "no DRBD resource delivered", expected: "a DRBD resource under /etc/drbd.d replicating it to the other storage VM", urn: vmUrn(resources, vm.name, view.urn) });
        continue;
      }
      for (const file of resourceFiles) checkDrbdResourceFile(file, vm.name, STORAGE_CLUSTER, view.model.vms, report);
    }
  });
}

