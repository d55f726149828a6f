import type { DeliveredFile } from "../kit/rendered-files";
import { reportFinding } from "../kit/report-finding";
import { drbdResourceFacts } from "../../components/replicated-volume/drbd-facts";

// The checks of a delivered DRBD resource file, said once for every replicated volume (the object store's,
// the backup tier's): what storage-drbd-replication and backup-volume-drbd judge each VM's file by.

/** Split-brain policies that resync one side from the other only when that side changed nothing: no data is lost. */
const SAFE_AFTER_SB_0PRI = ["disconnect", "discard-zero-changes"];
/** With a Primary involved, every automatic choice discards acknowledged writes: only disconnecting keeps them. */
const SAFE_AFTER_SB_PRIMARY = ["disconnect"];
export const FENCE_PEER = "/usr/lib/drbd/crm-fence-peer.sh";
export const UNFENCE_PEER = "/usr/lib/drbd/crm-unfence-peer.sh";

/** A path DRBD reads a resource from (drbd.conf includes /etc/drbd.d/*.res). */
export const isDrbdResourceFile = (path: string): boolean => /^\/etc\/drbd\.d\/[^/]+\.res$/.test(path);

type Report = Parameters<typeof reportFinding>[0];

/** The cluster a DRBD resource belongs to: the tier whose VMs are its peers, and how findings name them. */
export interface DrbdCluster {
  tier: string;
  /** `storage VM`. */
  vmNoun: string;
}

/**
 * Judges one delivered DRBD resource file of `vmName`: synchronous, fenced, split-brain safe, and replicating to
 * another VM of `cluster.tier` on another node at both peers' storage-network addresses.
 */
export function checkDrbdResourceFile(file: DeliveredFile, vmName: string, cluster: DrbdCluster, vms: readonly { name: string; node: string; tier: string; nics: { network: string; address: string }[] }[], report: Report): void {
  const facts = drbdResourceFacts(file.content);
  const subject = `DRBD resource ${facts.name ?? file.path} on ${vmName}`;
  const finding = (observed: string, expected: string, where: string): void => reportFinding(report, { subject, observed, expected, urn: file.urn, location: `${file.path}: ${where}` });
  if (facts.protocol !== "C") finding(facts.protocol ? `protocol ${facts.protocol}` : "no protocol", "protocol C (a write is acknowledged once both disks hold it)", "protocol");
  if (facts.fencing !== "resource-and-stonith") {
    finding(facts.fencing ? `fencing ${facts.fencing}` : "no fencing", "fencing resource-and-stonith (a Primary that loses its peer freezes I/O until the peer is fenced)", "disk.fencing");
  }
  if (facts.handlers["fence-peer"] !== FENCE_PEER) finding(facts.handlers["fence-peer"] ? `fence-peer ${facts.handlers["fence-peer"]}` : "no fence-peer handler", `fence-peer ${FENCE_PEER}`, "handlers.fence-peer");
  if (facts.handlers["after-resync-target"] !== UNFENCE_PEER) {
    finding(facts.handlers["after-resync-target"] ? `after-resync-target ${facts.handlers["after-resync-target"]}` : "no after-resync-target handler", `after-resync-target ${UNFENCE_PEER}`, "handlers.after-resync-target");
  }
  const sb = facts.afterSplitBrain;
  const check = (value: string | undefined, safe: string[], key: string): void => {
    // DRBD's default for each is disconnect: an absent key is safe.
    if (value !== undefined && !safe.includes(value)) finding(`${key} ${value}`, `${key} ${safe.join(" or ")} (never discards changed data by itself)`, `net.${key}`);
  };
  check(sb.zeroPrimaries, SAFE_AFTER_SB_0PRI, "after-sb-0pri");
  check(sb.onePrimary, SAFE_AFTER_SB_PRIMARY, "after-sb-1pri");
  check(sb.twoPrimaries, SAFE_AFTER_SB_PRIMARY, "after-sb-2pri");

  const self = vms.find((v) => v.name === vmName);
  const storageAddress = (name: string): string | undefined => vms.find((v) => v.name === name)?.nics.find((n) => n.network === "storage")?.address;
  const mine = facts.peers.find((p) => p.host === vmName);
  const others = facts.peers.filter((p) => p.host !== vmName);
  if (!mine) finding(`no section for ${vmName} (${facts.peers.map((p) => p.host).join(", ") || "none"})`, `an \`on ${vmName}\` section`, "on");
  const peer = others.map((p) => ({ p, vm: vms.find((v) => v.name === p.host) })).find((x) => x.vm && x.vm.tier === cluster.tier && x.vm.node !== self?.node);
  if (!peer) {
    finding(`peers ${others.map((p) => p.host).join(", ") || "none"}`, `a peer that is another ${cluster.vmNoun} on a node other than ${self?.node ?? "its own"}`, "on");
    return;
  }
  for (const section of [mine, peer.p]) {
    if (!section) continue;
    const expected = storageAddress(section.host);
    if (section.address !== expected) finding(`${section.host} at ${section.address ?? "no address"}`, `${section.host} at its storage-network address ${expected ?? "(none)"}`, `on ${section.host}.address`);
  }
}
