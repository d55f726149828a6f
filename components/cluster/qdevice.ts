import type { PlatformModel } from "../model/types";

/** A shell command for one host, before it becomes a `remote.Command`. */
export interface HostCommand {
  /** Resource name, unique in the stack. */
  name: string;
  host: string;
  create: string;
  delete?: string;
}

/**
 * Commands that give a two-node cluster its third vote: corosync-qnetd on the QDevice host,
 * corosync-qdevice on every node, then `pvecm qdevice setup` once from the first node. Each command is
 * idempotent, so a re-run after a partial failure finishes the job instead of failing on what exists.
 * Returns nothing when the stack has no QDevice.
 */
export function qdeviceCommands(model: PlatformModel): HostCommand[] {
  if (!model.qdevice) return [];
  const apt = "DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends";
  const first = model.nodes[0];
  return [
    { name: `qnetd-${model.qdevice.name}`, host: model.qdevice.address, create: `${apt} corosync-qnetd && systemctl enable --now corosync-qnetd` },
    ...model.nodes.map((n) => ({ name: `qdevice-client-${n.name}`, host: n.managementAddress, create: `${apt} corosync-qdevice` })),
    {
      name: `qdevice-setup-${model.qdevice.name}`,
      host: first.managementAddress,
      create: `pvecm status | grep -q 'Qdevice' || pvecm qdevice setup ${model.qdevice.address}`,
      delete: "pvecm status | grep -q 'Qdevice' && pvecm qdevice remove || true",
    },
  ];
}
