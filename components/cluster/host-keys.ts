import type { PlatformSpec } from "../spec/schema";
import { hostKeyIdentity } from "../spec/ssh-host-key";

/**
 * The SSH host key the spec gives for a node or QDevice host, by the address the toolkit connects to, as
 * `type base64` (no comment): what `@pulumi/command`'s `hostKey` pins and a known_hosts line carries. The
 * spec's loader has decoded every key (components/spec/ssh-host-key.ts). Throws for an address the spec
 * gives no key for, so that no connection is ever made unpinned.
 */
export function specHostKey(spec: PlatformSpec, address: string): string {
  const host = [...spec.proxmox.nodes, ...(spec.proxmox.qdevice ? [spec.proxmox.qdevice] : [])].find((h) => h.address === address);
  if (!host) throw new Error(`specHostKey: the spec has no node or QDevice host at ${address}`);
  return hostKeyIdentity(host.sshHostKey);
}

/**
 * A shell step that makes root's known_hosts on a node trust `address` with `hostKey`, for tools that SSH
 * onward from the node (`pvecm qdevice setup`): without the line they would trust the first key they see.
 * The line is appended when absent rather than the file rewritten (`ssh-keygen -R` would replace a file that
 * Proxmox may keep as a symlink into /etc/pve). Both values are validated (an IPv4 address; `type base64`
 * from the spec's pattern), so the single quotes around the line are all the quoting they need.
 */
export function knownHostsStep(address: string, hostKey: string): string {
  const line = `${address} ${hostKey}`;
  const file = "/root/.ssh/known_hosts";
  return `install -d -m 0700 /root/.ssh && { grep -qxF '${line}' ${file} 2>/dev/null || echo '${line}' >> ${file}; }`;
}

/**
 * The known_hosts lines of every node and the QDevice host, from the spec. The Proxmox provider's own SSH
 * (snippet and image uploads) verifies nodes against the operator's ~/.ssh/known_hosts and adds a key it has
 * never seen (trust on first use; provider 8.6.0 takes no host key): installing these lines there before the
 * first `pulumi up` turns that first use into a check against the spec.
 */
export function specKnownHosts(spec: PlatformSpec): string {
  const hosts = [...spec.proxmox.nodes, ...(spec.proxmox.qdevice ? [spec.proxmox.qdevice] : [])];
  return hosts.map((h) => `${h.address} ${hostKeyIdentity(h.sshHostKey)}\n`).join("");
}
