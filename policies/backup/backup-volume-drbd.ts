import type { PolicyResource } from "@pulumi/policy";
import { deliveredFiles } from "../kit/rendered-files";
import { pendingFiles, fileKey, isDelivered } from "../kit/pending-files";
import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { vmUrn } from "../kit/platform-view";
import { RESOURCES, isResourceOf } from "../../components/resource-types";
import { replicatedCibFacts, type CibFacts } from "../../components/replicated-volume/cib-facts";
import { drbdResourceFacts } from "../../components/replicated-volume/drbd-facts";
import { BACKUP_CIB_IDS, BACULA_DIRECTOR_UNIT, BACULA_SD_UNIT } from "../../components/backup/cluster-plan";
import { BACKUP_CLUSTER_PATHS } from "../../components/backup/cluster-paths";
import { checkDrbdResourceFile, isDrbdResourceFile, type DrbdCluster } from "../storage/drbd-resource-checks";
import { checkClusterCib } from "../storage/cluster-cib-checks";

const CIB = BACKUP_CLUSTER_PATHS.cibConfiguration;
const BACKUP_CLUSTER: DrbdCluster = { tier: "backup", vmNoun: "backup VM" };
/** What the Promoted side must run, in this order, for the volume, the director and the storage daemon to move together. */
const GROUP_AGENTS = ["ocf:heartbeat:Filesystem", "ocf:heartbeat:IPaddr2", `systemd:${BACULA_SD_UNIT}`, `systemd:${BACULA_DIRECTOR_UNIT}`];

/** Whether `expected` appears in `actual` in the same order (other members may sit between). */
function inOrder(actual: readonly string[], expected: readonly string[]): boolean {
  let at = 0;
  for (const a of actual) if (a === expected[at]) at++;
  return at === expected.length;
}

/** Proxmox storage-replication jobs of the VM with id `vmId` (job ids are `<vmid>-<n>`). */
function replicationJobs(resources: readonly PolicyResource[], vmId: number): PolicyResource[] {
  return resources.filter((r) => isResourceOf(r, RESOURCES.Replication) && String(r.props.resourceId ?? "").startsWith(`${vmId}-`));
}

/**
 * Seed design, "Backup strategy": "the backup will be stored on a block device backed by DRBD to replicate
 * across nodes". Judged from what the stack delivers to each backup VM: a DRBD resource replicating its volume
 * synchronously, fenced, to the other backup VM on another node (the object store's rules); the backup
 * cluster's CIB, which fences before it promotes and runs the file system, the backup address, bacula-sd and
 * bacula-director as one group with the Promoted role, after the promotion; and no Proxmox storage replication
 * of the VM as well (two replications of one disk fight, and HA must not start a copy away from its peer).
 */
export function backupVolumeDrbdPolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "backup-volume-drbd",
    description:
      "Each backup VM gets a DRBD resource replicating the backup volume to the other backup VM on another node (protocol C, fenced, split-brain safe), and the backup cluster's CIB runs the volume's file system, the backup address, bacula-sd and bacula-director as one group with the Promoted DRBD role, after the promotion, with two fencing levels per VM; Proxmox does not also replicate the backup VMs.",
    requirements: ["IBAC-BAK-004"],
    severity: "medium",
    enforcementLevel: "mandatory",
  }, async (view, resources, report) => {
    const files = await deliveredFiles(resources, view.model);
    const pending = await pendingFiles(resources, view.model);
    const backupVms = view.model.vms.filter((v) => v.tier === "backup");
    for (const vm of backupVms) {
      const urn = vmUrn(resources, vm.name, view.urn);
      const resourceFiles = files.filter((f) => f.vm === vm.name && isDrbdResourceFile(f.path));
      const drbdPending = [...pending].some((key) => key.startsWith(fileKey(vm.name, "/etc/drbd.d/")));
      if (!resourceFiles.length && !drbdPending) {
        reportFinding(report, { subject: `${vm.name}'s backup volume`, observed: "no DRBD resource delivered", expected: "a DRBD resource under /etc/drbd.d replicating it to the other backup VM", urn, location: "/etc/drbd.d" });
      }
      for (const file of resourceFiles) checkDrbdResourceFile(file, vm.name, BACKUP_CLUSTER, view.model.vms, report);

      const cib = files.find((f) => f.vm === vm.name && f.path === CIB);
      if (!cib) {
        if (!isDelivered(files, pending, vm.name, CIB)) reportFinding(report, { subject: `${vm.name}'s cluster configuration`, observed: "no Pacemaker CIB delivered", expected: `${CIB} with the backup cluster's fencing and resources`, urn, location: CIB });
      } else {
        let facts: CibFacts | undefined;
        try {
          facts = replicatedCibFacts(cib.content, BACKUP_CIB_IDS);
        } catch (err) {
          reportFinding(report, { subject: `Pacemaker CIB on ${vm.name}`, observed: `unreadable: ${(err as Error).message}`, expected: "a CIB document", urn: cib.urn, location: CIB });
        }
        if (facts) {
          const finding = (observed: string, expected: string, where: string): void => reportFinding(report, { subject: `Pacemaker CIB on ${vm.name}`, observed, expected, urn: cib.urn, location: `${CIB}: ${where}` });
          checkClusterCib(facts, backupVms.map((v) => v.name), BACKUP_CIB_IDS, finding);
          if (!inOrder(facts.serviceMemberAgents, GROUP_AGENTS)) {
            finding(`the group ${BACKUP_CIB_IDS.group} runs ${facts.serviceMemberAgents.join(", ") || "nothing"}`, `${GROUP_AGENTS.join(", ")} in that order, in the group that runs with the Promoted role`, `resources.${BACKUP_CIB_IDS.group}`);
          }
          const names = resourceFiles.map((f) => drbdResourceFacts(f.content).name).filter((n): n is string => n !== undefined);
          if (names.length && (facts.drbdResource === undefined || !names.includes(facts.drbdResource))) {
            finding(`the DRBD clone promotes ${facts.drbdResource ?? "no resource"}`, `drbd_resource ${names.join(" or ")} (the resource delivered to ${vm.name})`, `resources.${BACKUP_CIB_IDS.drbdClone}`);
          }
        }
      }

      const jobs = replicationJobs(resources, vm.vmId);
      for (const job of jobs) {
        reportFinding(report, { subject: `${vm.name}'s disks`, observed: `Proxmox storage replication ${String(job.props.resourceId)} to ${String(job.props.target)}`, expected: "no Proxmox replication of a DRBD VM (DRBD keeps the copy on the peer; two replications of one disk fight)", urn: job.urn, location: "resourceId" });
      }
      if (vm.failoverNode !== undefined) {
        reportFinding(report, { subject: `${vm.name}'s placement`, observed: `HA recovers it on ${vm.failoverNode}`, expected: "no failover node: its volume exists only on its own node, the peer takes the service over", urn, location: "model.vms.failoverNode" });
      }
    }
  });
}
