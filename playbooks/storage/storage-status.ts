import type { Runbook } from "../engine/types";
import { RunbookInputError, UnsafeStateError } from "../engine/errors";
import { CommandFailedError } from "../engine/run-runbook";
import { shellQuote } from "../engine/shell-quote";
import { SERVICE_GROUP_ID } from "../../components/storage/cib-resource-ids";
import type { StorageHost, StorageInventory } from "./inventory";
import { commands, CONNECTED_STATES, describeSide, readCluster, readDrbdSide, readPins, type ClusterReading, type DrbdSide, type StorageContext } from "./pair";
import { compareGenerations, parseGenerationIds, type DataRelation } from "./drbd-state";

/** MinIO's liveness endpoint, asked from the VM itself over the service address, its certificate verified. */
export function minioHealthCommand(inventory: StorageInventory, caFile: string): string {
  const { serverName, port, address } = inventory.service;
  return `curl -fsS --max-time 5 --cacert ${shellQuote(caFile)} --resolve ${shellQuote(`${serverName}:${port}:${address}`)} ${shellQuote(`https://${serverName}:${port}/minio/health/live`)}`;
}

type Finding = ["degraded" | "down", string];

/** What the two sides' generations say when neither is connected (DRBD's own comparison, compareGenerations). */
function disconnectedFinding(relation: DataRelation | undefined, sides: DrbdSide[], resource: string): Finding {
  const [a, b] = sides.map((s) => s.host.name);
  switch (relation) {
    case "diverged": return ["down", `split brain: neither side is connected and both changed data since they parted; storage-split-brain shows both sides and which to keep`];
    case "unrelated": return ["down", `neither side is connected and their data generations are unrelated: no common history to resync from`];
    case "same": return ["degraded", `neither side is connected, but both hold the same data: \`drbdadm connect ${resource}\` on each reconnects them`];
    case "first-ahead": return ["degraded", `neither side is connected; only ${a} changed data since they parted: \`drbdadm connect ${resource}\` on each resyncs ${b} from it`];
    case "second-ahead": return ["degraded", `neither side is connected; only ${b} changed data since they parted: \`drbdadm connect ${resource}\` on each resyncs ${a} from it`];
    default: return ["degraded", "neither side is connected, and their generations could not be read: storage-split-brain tells whether it is a split brain"];
  }
}

function drbdFindings(sides: (DrbdSide | { host: StorageHost; problem: string })[], resource: string, relation: DataRelation | undefined): Finding[] {
  const findings: Finding[] = [];
  const read = sides.filter((s): s is DrbdSide => "device" in s);
  for (const s of sides) if (!("device" in s)) findings.push(["degraded", `${s.host.name}: DRBD state not readable (${s.problem})`]);
  for (const s of read) {
    const d = s.device;
    if (s.disagreement) findings.push(["degraded", `${s.host.name}: /proc/drbd and drbdadm disagree (${s.disagreement})`]);
    if (!CONNECTED_STATES.includes(d.connection)) findings.push(["degraded", `${s.host.name}: ${resource} is ${d.connection}: the peers do not replicate`]);
    else if (d.connection !== "Connected") findings.push(["degraded", `${s.host.name}: ${resource} is ${d.connection}${d.syncedPercent !== undefined ? ` (${d.syncedPercent}% done)` : ""}`]);
    if (d.disk !== "UpToDate") findings.push(["degraded", `${s.host.name}: its disk is ${d.disk ?? "unknown"}, not UpToDate`]);
    if ((d.outOfSyncKiB ?? 0) > 0) findings.push(["degraded", `${s.host.name}: ${d.outOfSyncKiB} KiB out of sync with its peer`]);
  }
  const primaries = read.filter((s) => s.device.role === "Primary");
  if (primaries.length > 1) findings.push(["down", `both sides are DRBD Primary (${primaries.map((s) => s.host.name).join(", ")}): a split brain; run storage-split-brain`]);
  if (read.length === 2 && read.every((s) => !CONNECTED_STATES.includes(s.device.connection))) findings.push(disconnectedFinding(relation, read, resource));
  return findings;
}

function clusterFindings(reading: ClusterReading | undefined, names: string[], drbd: DrbdSide[]): Finding[] {
  if (!reading || !("view" in reading)) return [["down", "no storage VM's crm_mon answered with quorum"]];
  const { view } = reading;
  const findings: Finding[] = [];
  if (view.maintenanceMode) findings.push(["degraded", "the cluster is in maintenance mode: Pacemaker recovers nothing"]);
  for (const name of names) {
    const node = view.nodes.find((n) => n.name === name);
    if (!node) findings.push(["degraded", `${name} is not a node of the cluster`]);
    else if (!node.online || node.standby || node.maintenance || node.unclean) {
      findings.push(["degraded", `${name} is ${!node.online ? "offline" : node.unclean ? "unclean (waiting to be fenced)" : node.standby ? "in standby" : "in maintenance"} in Pacemaker`]);
    }
  }
  if (view.promoted.length !== 1) findings.push(["down", view.promoted.length ? `the DRBD clone is Promoted on ${view.promoted.join(" and ")}` : "the DRBD clone is Promoted nowhere"]);
  if (!view.serviceOn) findings.push(["down", `${SERVICE_GROUP_ID} does not run (${view.serviceMembers.map((m) => `${m.id}: ${m.nodes.join(",") || "stopped"}`).join("; ")})`]);
  else if (view.promoted.length === 1 && view.serviceOn !== view.promoted[0]) findings.push(["down", `${SERVICE_GROUP_ID} runs on ${view.serviceOn}, not with the Promoted instance on ${view.promoted[0]}`]);
  const promotedSide = drbd.find((s) => s.host.name === view.promoted[0]);
  if (promotedSide && promotedSide.device.role !== "Primary") findings.push(["down", `Pacemaker has ${promotedSide.host.name} Promoted, but its DRBD role is ${promotedSide.device.role ?? "unknown"}`]);
  for (const f of view.failures) findings.push(["degraded", `failed action ${f.operation} on ${f.node} (exit ${f.exitCode}${f.status ? `, ${f.status}` : ""}): crm_resource --cleanup once understood`]);
  for (const e of view.fencing ?? []) if (e.status !== "success") findings.push(["degraded", `fencing ${e.action} of ${e.target}: ${e.status}`]);
  return findings;
}

/** Probes only: the DRBD pair, the cluster, MinIO; a one-screen summary and a verdict in the exit code. */
export const storageStatus: Runbook<StorageInventory> = {
  name: "storage-status",
  summary: "the object store at a glance: DRBD on both VMs, Pacemaker's view, MinIO's health; exit 0 healthy, 5 degraded, 6 down",
  // Status is what an operator runs when something is wrong: a VM that does not answer is a finding.
  mayBeDown: (inventory) => inventory.hosts.map((h) => h.name),
  steps: (inventory) => [
    {
      name: "Probe DRBD, Pacemaker and MinIO on both storage VMs",
      hosts: () => inventory.hosts.map((h) => h.name),
      action: async (ctx: StorageContext) => {
        const { resource, device } = ctx.inventory.drbd;
        const sides: (DrbdSide | { host: StorageHost; problem: string })[] = [];
        const readings: ClusterReading[] = [];
        for (const host of ctx.inventory.hosts) {
          try {
            sides.push(await readDrbdSide(ctx, host));
          } catch (e) {
            // An unreadable side is a finding of status, not a reason to stop looking at the rest.
            if (!(e instanceof UnsafeStateError || e instanceof CommandFailedError || e instanceof RunbookInputError)) throw e;
            sides.push({ host, problem: e.message.split("\n")[0] });
          }
          readings.push(await readCluster(ctx, host));
        }
        const quorate = readings.find((r): r is Extract<ClusterReading, { view: unknown }> => "view" in r && r.view.quorate);
        const read = sides.filter((s): s is DrbdSide => "device" in s);
        ctx.note(`DRBD ${resource} (${device}):`);
        for (const s of sides) ctx.note(`  ${s.host.name}: ${"device" in s ? describeSide(s) : `not readable: ${s.problem}`}`);
        // Both sides disconnected: their generations tell a split brain from a side that only lags.
        let relation: DataRelation | undefined;
        if (read.length === 2 && read.every((s) => !CONNECTED_STATES.includes(s.device.connection))) {
          try {
            const [a, b] = await Promise.all(read.map(async (s) => parseGenerationIds((await ctx.probe(s.host, commands.getGi(resource))).stdout, `${s.host.name}: drbdadm get-gi ${resource}`)));
            relation = compareGenerations(a, b);
          } catch (e) {
            if (!(e instanceof UnsafeStateError || e instanceof CommandFailedError || e instanceof RunbookInputError)) throw e;
            ctx.note(`generations not readable: ${e.message.split("\n")[0]}`);
          }
        }
        const findings: Finding[] = [...drbdFindings(sides, resource, relation), ...clusterFindings(quorate, ctx.inventory.hosts.map((h) => h.name), read)];
        if (quorate) {
          const v = quorate.view;
          ctx.note(`Pacemaker (as ${quorate.host.name} sees it): quorate, DC ${v.dc ?? "none"}; ${v.nodes.map((n) => `${n.name} ${n.online ? "online" : "offline"}`).join(", ")}`);
          ctx.note(`  Promoted: ${v.promoted.join(", ") || "nowhere"}; ${SERVICE_GROUP_ID}: ${v.serviceOn ?? "not running"}; failed actions: ${v.failures.length || "none"}; fencing history: ${v.fencing ? (v.fencing.length ? v.fencing.map((e) => `${e.action} ${e.target} ${e.status}`).join(", ") : "none") : "not reported"}`);
          const pins = await readPins(ctx, quorate.host);
          if (pins.moves.length) findings.push(["degraded", `move/ban constraints left in place (${pins.moves.join(", ")}): they pin the Promoted role; crm_resource --clear removes them`]);
          if (pins.fenceHandler) {
            findings.push(["degraded", `DRBD's fence handler allows the Promoted role only on ${pins.fenceHandler.onlyOn} (${pins.fenceHandler.id}): the peer is outdated until it resyncs; crm-unfence-peer.sh removes the constraint then`]);
          }
        } else {
          ctx.note(`Pacemaker: no quorate view (${readings.map((r) => `${r.host.name}: ${"view" in r ? "no quorum" : r.problem}`).join("; ")})`);
        }
        const serving = quorate?.view.serviceOn ? ctx.host(quorate.view.serviceOn) : undefined;
        const { caFile, serverName, port } = ctx.inventory.service;
        if (!serving) ctx.note("MinIO: not probed (the service group runs nowhere)");
        else if (!caFile) ctx.note("MinIO: not probed: the inventory names no CA file (service.caFile) to verify its certificate with, and it is never probed unverified");
        else {
          const health = await ctx.probe(serving, minioHealthCommand(ctx.inventory, caFile), { allowFailure: true });
          if (health.code === 127 || health.code === 255) {
            // No curl on the VM, or the VM did not answer: MinIO was not asked, which says nothing of its health.
            const why = health.code === 127 ? `curl is not installed on ${serving.name}` : `${serving.name} did not answer`;
            ctx.note(`MinIO: not probed: ${why}`);
            findings.push(["degraded", `MinIO's health is unknown: ${why}`]);
          } else {
            ctx.note(`MinIO (https://${serverName}:${port}/minio/health/live from ${serving.name}): ${health.code === 0 ? "live" : `not live (curl exited ${health.code})`}`);
            if (health.code !== 0) findings.push(["down", `MinIO's liveness check failed from ${serving.name} (curl exit ${health.code})`]);
          }
        }
        for (const [severity, message] of findings) ctx.finding(severity, message);
        ctx.report.verdict = findings.some(([s]) => s === "down") ? "down" : findings.length ? "degraded" : "healthy";
      },
    },
  ],
};
