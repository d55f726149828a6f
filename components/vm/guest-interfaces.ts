/**
 * The name a VM's NIC has inside the guest: Proxmox's cloud-init network config names net0 `eth0`, net1
 * `eth1` (matched by MAC address, and cloud-init renames the interface to it). Renderers that name an
 * interface (keepalived, HAProxy binds) take it from here. Unproven here: no Proxmox guest boots in the tests;
 * the labs give their namespaces the same names.
 */
export function guestInterfaceName(nicIndex: number): string {
  if (!Number.isInteger(nicIndex) || nicIndex < 0 || nicIndex > 31) throw new Error(`a NIC index from 0 to 31, found ${nicIndex}`);
  return `eth${nicIndex}`;
}

/** The service network's NIC, which every tier's VMs have first (`TierDefinition.networks`). */
export const SERVICE_INTERFACE = guestInterfaceName(0);
