import type { PlatformModel } from "../model/types";
import type { PlatformSpec } from "../spec/schema";
import { knownHostsStep, specHostKey } from "./host-keys";

/** A shell command for one host, before it becomes a `remote.Command`. */
export interface HostCommand {
  /** Resource name, unique in the stack. */
  name: string;
  host: string;
  /** The host key the connection to `host` is pinned to (`type base64`), from the spec. */
  hostKey: string;
  create: string;
  delete?: string;
}

/**
 * Commands that give a two-node cluster its third vote: corosync-qnetd on the QDevice host,
 * corosync-qdevice on every node, then `pvecm qdevice setup` once from the first node. Each command is
 * idempotent, so a re-run after a partial failure finishes the job instead of failing on what exists.
 * Returns nothing when the stack has no QDevice.
 */
export function qdeviceCommands(model: PlatformModel, spec: PlatformSpec): HostCommand[] {
  if (!model.qdevice) return [];
  const qdevice = model.qdevice;
  const qdeviceKey = specHostKey(spec, qdevice.address);
  const apt = "DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends";
  const first = model.nodes[0];
  return [
    { name: `qnetd-${qdevice.name}`, host: qdevice.address, hostKey: qdeviceKey, create: `${apt} corosync-qnetd && systemctl enable --now corosync-qnetd` },
    ...model.nodes.map((n) => ({ name: `qdevice-client-${n.name}`, host: n.managementAddress, hostKey: specHostKey(spec, n.managementAddress), create: `${apt} corosync-qdevice` })),
    {
      name: `qdevice-setup-${qdevice.name}`,
      host: first.managementAddress,
      hostKey: specHostKey(spec, first.managementAddress),
      // pvecm copies the QNetd certificates to the QDevice host over SSH from the node: pin that hop too.
      create: `pvecm status | grep -q 'Qdevice' || ( ${knownHostsStep(qdevice.address, qdeviceKey)} && pvecm qdevice setup ${qdevice.address} )`,
      delete: "pvecm status | grep -q 'Qdevice' && pvecm qdevice remove || true",
    },
  ];
}
