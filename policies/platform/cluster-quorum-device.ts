import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { RESOURCES, isResourceOf } from "../../components/resource-types";


/**
 * A two-node cluster has a third vote: QNetd installed on the QDevice host and `pvecm qdevice setup` run
 * against it. Without it either node's failure costs quorum and HA recovers nothing.
 */
export function clusterQuorumDevicePolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "cluster-quorum-device",
    description: "A cluster with an even number of nodes gets a QDevice, so losing one node keeps quorum and HA can recover its VMs.",
    requirements: ["IBAC-HA-001"],
    severity: "critical",
    enforcementLevel: "mandatory",
  }, (view, resources, report) => {
    const nodes = view.model.nodes.length;
    if (nodes % 2 === 1 && nodes >= 3) return;
    const commands = resources.filter((r) => isResourceOf(r, RESOURCES.RemoteCommand)).map((r) => ({ urn: r.urn, create: String(r.props.create ?? "") }));
    const setup = commands.find((c) => /pvecm qdevice setup \S+/.test(c.create));
    const qnetd = commands.find((c) => /corosync-qnetd/.test(c.create));
    if (!setup || !qnetd) {
      reportFinding(report, {
        subject: `the ${nodes}-node cluster's quorum`,
        observed: !setup && !qnetd ? "no QDevice: no QNetd install and no `pvecm qdevice setup`" : !setup ? "QNetd installed but never joined (`pvecm qdevice setup` missing)" : "`pvecm qdevice setup` without a QNetd install",
        expected: "a QDevice host running corosync-qnetd, joined with `pvecm qdevice setup` (proxmox.qdevice in the spec)",
        urn: setup?.urn ?? qnetd?.urn ?? view.urn,
      });
      return;
    }
    const address = /pvecm qdevice setup (\S+)/.exec(setup.create)?.[1];
    if (view.model.qdevice && address !== view.model.qdevice.address) {
      reportFinding(report, { subject: "the QDevice join", observed: `pvecm qdevice setup ${address ?? "?"}`, expected: `the QDevice host ${view.model.qdevice.address}`, urn: setup.urn });
    }
  });
}
