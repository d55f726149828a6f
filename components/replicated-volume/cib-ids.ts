// The fence devices' ids, said once for every replicated-volume cluster: one pair per VM, named after it (the
// VM names differ between clusters, so the ids do too).

/** Level 1: fence_pve stops the VM through the Proxmox API of the node that runs it. */
export function pveFenceDeviceId(vm: string): string {
  return `fence-pve-${vm}`;
}

/** Level 2: fence_ipmilan powers off the Proxmox node that runs the VM. */
export function ipmiFenceDeviceId(vm: string): string {
  return `fence-ipmi-${vm}`;
}
