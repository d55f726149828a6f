/** The Proxmox privileges fence_pve needs: read a VM's state and power it off or on, nothing else. */
export const FENCE_PRIVILEGES = ["VM.Audit", "VM.PowerMgmt"] as const;
