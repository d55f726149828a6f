/**
 * Privileges of the toolkit's automation token: what `pulumi up` needs to create and run VMs, upload
 * images and snippets and manage HA and replication, and nothing that administers users, the cluster
 * itself or the nodes' system settings. Proxmox VE 9 split VM.Monitor into the VM.GuestAgent.* set.
 * Sys.Console is there because the HA API (resources, groups, rules) requires it on `/`; Sys.AccessNetwork
 * because downloading an image by URL does (Proxmox VE 8.2 and later; before 8.2 it took Sys.Modify, which
 * also changes the nodes' network, DNS, time and APT settings and the cluster firewall, so it is not granted).
 */
export function automationPrivileges(proxmoxVersion: number): string[] {
  const common = [
    "Datastore.Allocate",
    "Datastore.AllocateSpace",
    "Datastore.AllocateTemplate",
    "Datastore.Audit",
    "Pool.Audit",
    "SDN.Use",
    "Sys.Audit",
    "Sys.Console",
    "Sys.AccessNetwork",
    "VM.Allocate",
    "VM.Audit",
    "VM.Clone",
    "VM.Config.CDROM",
    "VM.Config.CPU",
    "VM.Config.Cloudinit",
    "VM.Config.Disk",
    "VM.Config.HWType",
    "VM.Config.Memory",
    "VM.Config.Network",
    "VM.Config.Options",
    "VM.Migrate",
    "VM.PowerMgmt",
  ];
  const guestAgent = proxmoxVersion >= 9 ? ["VM.GuestAgent.Audit", "VM.GuestAgent.Unrestricted"] : ["VM.Monitor"];
  return [...common, ...guestAgent].sort();
}
