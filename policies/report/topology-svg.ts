// The cluster drawn as a picture: each Proxmox node a box holding its VMs grouped by tier, the corosync link,
// the QDevice and the quorum votes. Pure string rendering (no DOM): text widths are estimated from the font
// size, and boxes are sized from the longest text so no label overlaps another.
import { TIER_NAMES } from "../../components/spec/schema";
import type { NodePlan, VmPlan } from "../../components/model/types";
import type { ComplianceResult } from "../results/types";
import { escapeHtml } from "./escape";
import { findTier, tierLabel } from "../../components/tiers/registry";

export type Topology = ComplianceResult["topology"];

export interface TierGroup {
  tier: string;
  vms: VmPlan[];
}

export interface NodeGroup {
  /** The node, or undefined for VMs placed on a node the topology does not list (shown, not dropped). */
  node?: NodePlan;
  name: string;
  votes?: number;
  tiers: TierGroup[];
}

export interface QuorumFacts {
  nodeVotes: number;
  qdeviceVotes: number;
  expectedVotes: number;
  /** Votes a partition needs: more than half of the expected votes. */
  needed: number;
  survivesOneNodeLoss: boolean;
  /** Votes per node when they are equal, else undefined. */
  votesPerNode?: number;
}

function tierOrder(tier: string): number {
  const i = (TIER_NAMES as readonly string[]).indexOf(tier);
  return i >= 0 ? i : TIER_NAMES.length;
}

/** The tiers that have VMs, in the design's order. */
export function tiersOf(topology: Topology): string[] {
  return [...new Set(topology.vms.map((v) => v.tier as string))].sort((a, b) => tierOrder(a) - tierOrder(b) || a.localeCompare(b));
}

export function quorumFacts(topology: Topology): QuorumFacts {
  const q = topology.quorum;
  const n = topology.nodes.length;
  const perNode = n > 0 && q.nodeVotes % n === 0 ? q.nodeVotes / n : undefined;
  return { ...q, needed: Math.floor(q.expectedVotes / 2) + 1, ...(perNode !== undefined ? { votesPerNode: perNode } : {}) };
}

/** The VMs by node (in the topology's node order) and by tier (in the design's order). */
export function groupByNode(topology: Topology): NodeGroup[] {
  const q = quorumFacts(topology);
  const tiers = tiersOf(topology);
  const groupOf = (vms: VmPlan[]): TierGroup[] =>
    tiers.map((tier) => ({ tier, vms: vms.filter((v) => v.tier === tier).sort((a, b) => a.index - b.index || a.name.localeCompare(b.name)) }));
  const groups: NodeGroup[] = topology.nodes.map((node) => ({
    node,
    name: node.name,
    ...(q.votesPerNode !== undefined ? { votes: q.votesPerNode } : {}),
    tiers: groupOf(topology.vms.filter((v) => v.node === node.name)),
  }));
  const known = new Set(topology.nodes.map((n) => n.name));
  for (const name of [...new Set(topology.vms.filter((v) => !known.has(v.node)).map((v) => v.node))]) {
    groups.push({ name: `${name} (not a cluster node)`, tiers: groupOf(topology.vms.filter((v) => v.node === name)) });
  }
  return groups;
}

/** The address a VM serves on: its service-network address, else its first. */
export function vmAddress(vm: VmPlan): string {
  return (vm.nics.find((n) => n.network === "service") ?? vm.nics[0])?.address ?? "";
}

// --- drawing -----------------------------------------------------------------------------------------------

const FONT = "'DejaVu Sans', Verdana, Arial, Helvetica, sans-serif";

/** Estimated width of text in this sans-serif font (generous, so boxes err on the roomy side). */
function textWidth(text: string, size: number, bold = false): number {
  return text.length * size * (bold ? 0.66 : 0.6);
}

/** Text cut with an ellipsis to fit `width`; the full text goes into the element's tooltip. */
function fit(text: string, size: number, width: number, bold = false): string {
  if (textWidth(text, size, bold) <= width) return text;
  const chars = Math.max(1, Math.floor(width / (size * (bold ? 0.66 : 0.6))) - 1);
  return `${text.slice(0, chars)}…`;
}

/** The colours of a box that is not a tier's. */
const OTHER_COLOURS = { fill: "#f5f5f4", stroke: "#44403c" };

interface Text {
  x: number;
  y: number;
  text: string;
  size: number;
  bold?: boolean;
  anchor?: "start" | "middle" | "end";
  fill?: string;
  title?: string;
}

function text(t: Text): string {
  const attrs = [
    `x="${t.x.toFixed(1)}"`,
    `y="${t.y.toFixed(1)}"`,
    `font-size="${t.size}"`,
    t.bold ? `font-weight="bold"` : "",
    t.anchor && t.anchor !== "start" ? `text-anchor="${t.anchor}"` : "",
    t.fill ? `fill="${t.fill}"` : "",
  ].filter(Boolean).join(" ");
  const title = t.title ? `<title>${escapeHtml(t.title)}</title>` : "";
  return `<text ${attrs}>${title}${escapeHtml(t.text)}</text>`;
}

function rect(x: number, y: number, w: number, h: number, fill: string, stroke: string, extra = ""): string {
  return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" fill="${fill}" stroke="${stroke}" ${extra}/>`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export interface TopologySvgOptions {
  /** Adds the SVG namespace so the markup is a valid `.svg` file on its own (inline HTML needs none). */
  standalone?: boolean;
}

const PAD = 20;
const NODE_PAD = 12;
const CHIP_H = 40;
const CHIP_GAP = 6;
const HEADER_H = 74;
const TITLE_H = 34;
const MAX_CHIP_W = 280;

/** The topology as an SVG string (a `viewBox`, width 100% up to its natural width). */
export function renderTopologySvg(topology: Topology, options: TopologySvgOptions = {}): string {
  const groups = groupByNode(topology);
  const tiers = tiersOf(topology);
  const q = quorumFacts(topology);
  const out: string[] = [];

  // Chips: one per VM, as wide as the longest VM's text.
  const chipLine1 = (vm: VmPlan): string => (vm.role ? `${vm.name} (${vm.role})` : vm.name);
  const chipLine2 = (vm: VmPlan): string => [vmAddress(vm), vm.failoverNode ? `HA → ${vm.failoverNode}` : ""].filter(Boolean).join(" · ");
  const chipW = Math.min(MAX_CHIP_W, Math.max(150, ...topology.vms.map((v) => Math.max(textWidth(chipLine1(v), 12, true), textWidth(chipLine2(v), 10.5)) + 18)));
  const perTierMax = Math.max(1, ...groups.flatMap((g) => g.tiers.map((t) => t.vms.length)));
  const chipsPerRow = Math.min(perTierMax, 3);
  const labelW = Math.max(90, ...tiers.map((t) => textWidth(tierLabel(t), 12, true))) + 22;

  const headerLine1 = (g: NodeGroup): string => (g.node ? `management ${g.node.managementAddress} · cluster ${g.node.clusterAddress}` : "");
  const headerLine2 = (g: NodeGroup): string => (g.node ? `${g.node.logicalCpus} logical CPUs · ${g.node.memoryGiB} GiB RAM · ${plural(g.tiers.reduce((s, t) => s + t.vms.length, 0), "VM")}` : "");
  const headerW = Math.max(0, ...groups.map((g) => Math.max(textWidth(headerLine1(g), 11), textWidth(headerLine2(g), 11), textWidth(g.name, 16, true) + 110)));
  const nodeW = Math.max(NODE_PAD * 2 + labelW + chipsPerRow * chipW + (chipsPerRow - 1) * CHIP_GAP, headerW + NODE_PAD * 2);
  const chipSlotW = (nodeW - NODE_PAD * 2 - labelW - (chipsPerRow - 1) * CHIP_GAP) / chipsPerRow;

  // Each tier row is as tall as the node with the most VMs of that tier needs, so rows line up across nodes.
  const rowH = tiers.map((tier) => {
    const most = Math.max(1, ...groups.map((g) => g.tiers.find((t) => t.tier === tier)?.vms.length ?? 0));
    return Math.ceil(most / chipsPerRow) * (CHIP_H + CHIP_GAP) + CHIP_GAP;
  });
  const nodeH = HEADER_H + rowH.reduce((s, h) => s + h, 0) + NODE_PAD;

  const n = groups.length;
  const cols = n <= 3 ? Math.max(1, n) : n === 4 ? 2 : 4;
  const oneRow = n <= cols;
  const gapX = oneRow && n === 2 ? 110 : 30;
  const gapY = 30;
  const rows = Math.max(1, Math.ceil(n / cols));
  const width = PAD * 2 + cols * nodeW + (cols - 1) * gapX;
  const nodesTop = PAD + TITLE_H;
  const nodesBottom = nodesTop + rows * nodeH + (rows - 1) * gapY;

  const vmCount = topology.vms.length;
  out.push(text({ x: PAD, y: PAD + 14, text: `Proxmox cluster: ${plural(topology.nodes.length, "node")}, ${plural(vmCount, "VM")}${topology.qdevice ? ", 1 QDevice" : ", no QDevice"}`, size: 15, bold: true, fill: "#111827" }));

  const nodeX = (i: number): number => PAD + (i % cols) * (nodeW + gapX);
  const nodeY = (i: number): number => nodesTop + Math.floor(i / cols) * (nodeH + gapY);

  groups.forEach((g, i) => {
    const x = nodeX(i);
    const y = nodeY(i);
    out.push(`<g class="node">`);
    out.push(rect(x, y, nodeW, nodeH, "#ffffff", "#111827", `stroke-width="2" rx="8"`));
    out.push(rect(x, y, nodeW, HEADER_H - 8, "#e5e7eb", "none", `rx="8"`));
    out.push(rect(x, y + HEADER_H - 20, nodeW, 12, "#e5e7eb", "none"));
    out.push(`<line x1="${x}" y1="${y + HEADER_H - 8}" x2="${x + nodeW}" y2="${y + HEADER_H - 8}" stroke="#111827" stroke-width="1"/>`);
    out.push(text({ x: x + NODE_PAD, y: y + 24, text: fit(g.node ? `${g.name}` : g.name, 16, nodeW - NODE_PAD * 2 - 100, true), size: 16, bold: true, fill: "#111827", title: g.name }));
    if (g.node) {
      out.push(text({ x: x + NODE_PAD, y: y + 42, text: headerLine1(g), size: 11, fill: "#1f2937" }));
      out.push(text({ x: x + NODE_PAD, y: y + 57, text: headerLine2(g), size: 11, fill: "#1f2937" }));
    }
    if (g.votes !== undefined) {
      const label = plural(g.votes, "vote");
      const bw = textWidth(label, 12, true) + 16;
      out.push(rect(x + nodeW - NODE_PAD - bw, y + 9, bw, 22, "#111827", "#111827", `rx="11"`));
      out.push(text({ x: x + nodeW - NODE_PAD - bw / 2, y: y + 24.5, text: label, size: 12, bold: true, anchor: "middle", fill: "#ffffff" }));
    }
    let rowY = y + HEADER_H;
    tiers.forEach((tier, t) => {
      const colours = findTier(tier)?.report.colour ?? OTHER_COLOURS;
      const h = rowH[t];
      if (t > 0) out.push(`<line x1="${x + NODE_PAD}" y1="${rowY}" x2="${x + nodeW - NODE_PAD}" y2="${rowY}" stroke="#d1d5db" stroke-width="1"/>`);
      out.push(rect(x + NODE_PAD, rowY + CHIP_GAP + 4, 10, 10, colours.fill, colours.stroke, `stroke-width="1.5"`));
      out.push(text({ x: x + NODE_PAD + 16, y: rowY + CHIP_GAP + 14, text: tierLabel(tier), size: 12, bold: true, fill: "#111827" }));
      const vms = g.tiers.find((tg) => tg.tier === tier)?.vms ?? [];
      if (vms.length === 0) {
        out.push(text({ x: x + NODE_PAD + labelW, y: rowY + CHIP_GAP + 24, text: "no VM of this tier", size: 11, fill: "#6b7280" }));
      }
      vms.forEach((vm, k) => {
        const cx = x + NODE_PAD + labelW + (k % chipsPerRow) * (chipSlotW + CHIP_GAP);
        const cy = rowY + CHIP_GAP + Math.floor(k / chipsPerRow) * (CHIP_H + CHIP_GAP);
        const roleStroke = vm.role === "primary" ? `stroke-width="2.5"` : vm.role === "replica" ? `stroke-width="1.5" stroke-dasharray="5 3"` : `stroke-width="1.5"`;
        out.push(`<g class="vm">`);
        out.push(rect(cx, cy, chipSlotW, CHIP_H, colours.fill, colours.stroke, `rx="5" ${roleStroke}`));
        out.push(text({ x: cx + 8, y: cy + 16, text: fit(chipLine1(vm), 12, chipSlotW - 14, true), size: 12, bold: true, fill: "#111827", title: `${vm.fqdn} (VM ${vm.vmId}) on ${vm.node}` }));
        out.push(text({ x: cx + 8, y: cy + 32, text: fit(chipLine2(vm), 10.5, chipSlotW - 14), size: 10.5, fill: "#1f2937" }));
        out.push(`</g>`);
      });
      rowY += h;
    });
    out.push(`</g>`);
  });

  // The corosync link between two nodes side by side.
  if (oneRow && n === 2 && groups.every((g) => g.node)) {
    const x1 = nodeX(0) + nodeW;
    const x2 = nodeX(1);
    const ly = nodesTop + 36;
    const mid = (x1 + x2) / 2;
    out.push(`<line x1="${x1}" y1="${ly}" x2="${x2}" y2="${ly}" stroke="#111827" stroke-width="2.5"/>`);
    out.push(text({ x: mid, y: ly - 8, text: "corosync", size: 11, bold: true, anchor: "middle", fill: "#111827" }));
    out.push(text({ x: mid, y: ly + 17, text: "cluster network", size: 10, anchor: "middle", fill: "#374151" }));
  }

  // The QDevice, below the nodes, linked to each node of the last row.
  let y = nodesBottom + 56;
  const qTitle = topology.qdevice ? `${topology.qdevice.name} · QDevice` : "";
  const qSubtitle = topology.qdevice ? `${q.qdeviceVotes ? "QNetd vote outside the cluster" : "configured, but gives no vote"} · ${topology.qdevice.address}` : "";
  const qW = Math.min(width - PAD * 2, Math.max(300, textWidth(qSubtitle, 11) + NODE_PAD * 2, textWidth(qTitle, 14, true) + 110));
  const qH = 58;
  const qX = width / 2 - qW / 2;
  if (topology.qdevice) {
    const firstOfLastRow = (rows - 1) * cols;
    for (let i = firstOfLastRow; i < n; i++) {
      const fromX = nodeX(i) + nodeW / 2;
      const fromY = nodeY(i) + nodeH;
      const toX = qX + qW / 2 + (fromX < width / 2 ? -40 : fromX > width / 2 ? 40 : 0);
      out.push(`<line x1="${fromX}" y1="${fromY}" x2="${toX}" y2="${y}" stroke="#374151" stroke-width="1.5" stroke-dasharray="6 4"/>`);
    }
    const label = "each node ↔ QDevice: TCP 5403 (corosync-qnetd)";
    const lw = textWidth(label, 10.5) + 12;
    out.push(rect(width / 2 - lw / 2, nodesBottom + 18, lw, 18, "#ffffff", "none"));
    out.push(text({ x: width / 2, y: nodesBottom + 31, text: label, size: 10.5, anchor: "middle", fill: "#374151" }));
    out.push(rect(qX, y, qW, qH, "#f9fafb", "#111827", `stroke-width="2" rx="8"`));
    out.push(text({ x: qX + NODE_PAD, y: y + 23, text: fit(qTitle, 14, qW - 110, true), size: 14, bold: true, fill: "#111827", title: topology.qdevice.name }));
    out.push(text({ x: qX + NODE_PAD, y: y + 43, text: fit(qSubtitle, 11, qW - NODE_PAD * 2), title: qSubtitle, size: 11, fill: "#1f2937" }));
    const votes = plural(q.qdeviceVotes, "vote");
    const bw = textWidth(votes, 12, true) + 16;
    out.push(rect(qX + qW - NODE_PAD - bw, y + 9, bw, 22, "#111827", "#111827", `rx="11"`));
    out.push(text({ x: qX + qW - NODE_PAD - bw / 2, y: y + 24.5, text: votes, size: 12, bold: true, anchor: "middle", fill: "#ffffff" }));
  } else {
    out.push(rect(qX, y, qW, qH, "#ffffff", "#111827", `stroke-width="2" stroke-dasharray="8 5" rx="8"`));
    out.push(text({ x: width / 2, y: y + 24, text: "NO QDEVICE", size: 14, bold: true, anchor: "middle", fill: "#111827" }));
    out.push(text({ x: width / 2, y: y + 43, text: "the nodes' votes are the only votes", size: 11, anchor: "middle", fill: "#1f2937" }));
  }
  y += qH + 22;

  // The quorum arithmetic, in words.
  const qLine1 = `Quorum: ${plural(topology.nodes.length, "node")}${q.votesPerNode !== undefined ? ` × ${plural(q.votesPerNode, "vote")}` : ` (${plural(q.nodeVotes, "vote")})`}`
    + `${q.qdeviceVotes ? ` + QDevice ${plural(q.qdeviceVotes, "vote")}` : ""} = ${plural(q.expectedVotes, "expected vote")}; a partition needs ${q.needed}.`;
  const qLine2 = `Survives the loss of one node: ${q.survivesOneNodeLoss ? "YES" : "NO"}`;
  const boxW = width - PAD * 2;
  out.push(rect(PAD, y, boxW, 54, "#ffffff", "#111827", `stroke-width="${q.survivesOneNodeLoss ? 1.5 : 3}" rx="6"${q.survivesOneNodeLoss ? "" : ` stroke-dasharray="8 4"`}`));
  out.push(text({ x: PAD + NODE_PAD, y: y + 21, text: fit(qLine1, 12, boxW - NODE_PAD * 2), size: 12, fill: "#111827", title: qLine1 }));
  out.push(text({ x: PAD + NODE_PAD, y: y + 41, text: qLine2, size: 12, bold: true, fill: "#111827" }));
  const height = y + 54 + PAD;

  const ns = options.standalone ? ` xmlns="http://www.w3.org/2000/svg"` : "";
  const summary = `${plural(topology.nodes.length, "Proxmox node")} with ${plural(vmCount, "VM")} in ${plural(tiers.length, "tier")}; ${topology.qdevice ? `QDevice ${topology.qdevice.name}` : "no QDevice"}; ${plural(q.expectedVotes, "expected vote")}.`;
  return `<svg${ns} class="topology" viewBox="0 0 ${width.toFixed(0)} ${height.toFixed(0)}" width="${width.toFixed(0)}" height="${height.toFixed(0)}" role="img" aria-label="${escapeHtml(summary)}" font-family="${FONT}">
<title>${escapeHtml(summary)}</title>
${out.join("\n")}
</svg>`;
}
