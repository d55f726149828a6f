import type { PlatformModel } from "../model/types";
import type { PlatformSpec } from "../spec/schema";
import { specHostKey } from "./host-keys";
import type { HostCommand } from "./qdevice";

/** Where Proxmox keeps the cluster's own CA, which signs every node's API certificate (pveproxy). */
export const PVE_ROOT_CA_PATH = "/etc/pve/pve-root-ca.pem";
/** Prints the cluster CA, and only if it is one PEM certificate: its output becomes a file in the VMs. */
export const READ_PVE_ROOT_CA = `openssl x509 -in ${PVE_ROOT_CA_PATH} -outform PEM`;

/**
 * Reads the Proxmox cluster's CA from the first node (over root SSH pinned to the node's spec key), for the
 * VMs that call the Proxmox API themselves and must verify its certificate: fence_pve on the storage VMs.
 */
export function clusterCaCommand(model: PlatformModel, spec: PlatformSpec): HostCommand {
  const first = model.nodes[0];
  return { name: `pve-root-ca-${first.name}`, host: first.managementAddress, hostKey: specHostKey(spec, first.managementAddress), create: READ_PVE_ROOT_CA };
}
