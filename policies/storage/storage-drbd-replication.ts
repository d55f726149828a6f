import { deliveredFiles, type DeliveredFile } from "../kit/rendered-files";
import { pendingFiles, fileKey } from "../kit/pending-files";
import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { vmUrn } from "../kit/platform-view";
import { drbdResourceFacts } from "../../components/storage/drbd-facts";

/** Split-brain policies that resync one side from the other only when that side changed nothing: no data is lost. */
const SAFE_AFTER_SB_0PRI = ["disconnect", "discard-zero-changes"];
/** With a Primary involved, every automatic choice discards acknowledged writes: only disconnecting keeps them. */
const SAFE_AFTER_SB_PRIMARY = ["disconnect"];
const FENCE_PEER = "/usr/lib/drbd/crm-fence-peer.sh";
const UNFENCE_PEER = "/usr/lib/drbd/crm-unfence-peer.sh";

const isDrbdResourceFile = (path: string): boolean => /^\/etc\/drbd\.d\/[^/]+\.res$/.test(path);

/**
 * Seed design, "Photo and Logging Storage" (MinIO on a DRBD-backed volume) and "Failure & recovery": the object
 * store's volume is replicated synchronously between its two VMs on different nodes, a Primary that loses its
 * peer waits for the cluster to fence it before going on, and a split brain is never settled by discarding
 * writes. Judged from the DRBD resource file the stack delivers to each storage VM.
 */
export function storageDrbdReplicationPolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "storage-drbd-replication",
    description:
      "Each object-store VM gets a DRBD resource replicating its volume to the other storage VM on another node: protocol C, fencing resource-and-stonith with the crm fence and unfence handlers, and split-brain policies that never discard changed data.",
    requirements: ["IBAC-STO-001"],
    severity: "high",
    enforcementLevel: "mandatory",
  }, async (view, resources, report) => {
    const files = await deliveredFiles(resources, view.model);
    const pending = await pendingFiles(resources, view.model);
    for (const vm of view.model.vms.filter((v) => v.tier === "objectStore")) {
      const resourceFiles = files.filter((f) => f.vm === vm.name && isDrbdResourceFile(f.path));
      const pendingHere = [...pending].some((key) => key.startsWith(fileKey(vm.name, "/etc/drbd.d/")));
      if (!resourceFiles.length) {
        if (!pendingHere) reportFinding(report, { subject: `${vm.name}'s volume`, observed: "no DRBD resource delivered", expected: "a DRBD resource under /etc/drbd.d replicating it to the other storage VM", urn: vmUrn(resources, vm.name, view.urn) });
        continue;
      }
      for (const file of resourceFiles) checkResource(file, vm.name, view.model.vms, report);
    }
  });
}

type Report = Parameters<typeof reportFinding>[0];

function checkResource(file: DeliveredFile, vmName: string, vms: readonly { name: string; node: string; tier: string; nics: { network: string; address: string }[] }[], report: Report): void {
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
  const peer = others.map((p) => ({ p, vm: vms.find((v) => v.name === p.host) })).find((x) => x.vm && x.vm.tier === "objectStore" && x.vm.node !== self?.node);
  if (!peer) {
    finding(`peers ${others.map((p) => p.host).join(", ") || "none"}`, `a peer that is another storage VM on a node other than ${self?.node ?? "its own"}`, "on");
    return;
  }
  for (const section of [mine, peer.p]) {
    if (!section) continue;
    const expected = storageAddress(section.host);
    if (section.address !== expected) finding(`${section.host} at ${section.address ?? "no address"}`, `${section.host} at its storage-network address ${expected ?? "(none)"}`, `on ${section.host}.address`);
  }
}
