import type { PolicyModel } from "../../components/model/policy-view";
import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";

/** Every address the cluster itself answers on: nodes, VMs, floating addresses, the QDevice. */
function clusterAddresses(model: PolicyModel): Map<string, string> {
  const owners = new Map<string, string>();
  for (const n of model.nodes) {
    owners.set(n.managementAddress, `node ${n.name}`);
    owners.set(n.clusterAddress, `node ${n.name}`);
  }
  for (const vm of model.vms) for (const nic of vm.nics) owners.set(nic.address, `VM ${vm.name}`);
  for (const [name, address] of Object.entries(model.virtualIps)) owners.set(address, `the ${name} virtual IP`);
  if (model.qdevice) owners.set(model.qdevice.address, `the QDevice ${model.qdevice.name}`);
  return owners;
}

const IPV4 = /^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$/;

/**
 * Seed design, "Backup strategy": an encrypted copy of every backup is stored on a NAS external to the cluster.
 * The off-site copy is not rendered by the toolkit yet (Bacula is not built), so this checks the design the spec
 * declares (backupPolicy.offsite) and that the model lets the backup tier reach that NAS.
 */
export function backupOffsiteEncryptedPolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "backup-offsite-encrypted",
    description:
      "Every backup is copied, encrypted, to a NAS outside the cluster: the spec's backupPolicy.offsite is encrypted with a NAS address that is none of the cluster's own, and the model has the backup tier's flow to it (declared design; the copy job is not built yet).",
    requirements: ["IBAC-BAK-003"],
    // The copy job is not rendered (IBAC-BAK-007): the spec says "encrypted", nothing delivered shows it.
    declaredOnly: ["IBAC-BAK-003"],
    severity: "critical",
    enforcementLevel: "mandatory",
  }, (view, _resources, report) => {
    const offsite = view.spec.backupPolicy.offsite;
    if (offsite.encrypted !== true) {
      reportFinding(report, { subject: "off-site backup copy", observed: `encrypted: ${String(offsite.encrypted)}`, expected: "encrypted: true (the copy on the NAS is encrypted)", urn: view.urn, location: "spec.backupPolicy.offsite.encrypted" });
    }
    const address = typeof offsite.nasAddress === "string" ? offsite.nasAddress.trim() : "";
    const owner = clusterAddresses(view.model).get(address);
    if (!IPV4.test(address) || owner) {
      reportFinding(report, {
        subject: "off-site backup NAS",
        observed: address ? (owner ? `nasAddress: ${address}, which is ${owner}` : `nasAddress: ${address}`) : "no nasAddress",
        expected: "the IPv4 address of a NAS external to the cluster",
        urn: view.urn,
        location: "spec.backupPolicy.offsite.nasAddress",
      });
    }
    const flow = view.model.flows.some((f) => f.source.kind === "tier" && f.source.tier === "backup" && f.destination.kind === "zone" && f.destination.zone === "offsiteNas");
    if (!flow) {
      reportFinding(report, { subject: "off-site backup copy", observed: "no flow from the backup tier to the off-site NAS", expected: "a backup -> offsiteNas flow (the copy's only way out)", urn: view.urn, location: "model.flows" });
    }
  });
}
