// Monitoring benchmark, two sections:
//
// (a) NOTIFICATION LATENCY in the monitoring lab (test/lab/monitoring): the lab stack's rendered nagios4 engine
//     and NRPE agents in network namespaces, with the PROD stack's check timing (monitoring.checks), against the
//     database lab's real MariaDB replica. MariaDB on db-2 is stopped: the time until the first PROBLEM mail
//     reaches the SMTP sink (over STARTTLS); then started: the time until the first RECOVERY mail. Printed beside
//     the spec's worst case (monitoring/plan/types.ts worstCaseNotifySeconds: one interval, then every retry)
//     and Nagios's defaults (check_interval 5 min, retry_interval 1 min, max_check_attempts 3: 5 to 7 min from
//     failure to notification, plus Nagios's scheduling latency, so 5-8 min in practice) as ratios.
//     Target: a problem notified in under 60 s.
// (b) RENDERING, model -> objects: deriveMonitoringPlan + renderEngineFiles (and renderShinkenFiles where the
//     engine is Shinken, as for generated stacks) for generated stacks of 8, 16, 32 and 64 nodes
//     (test/fixtures/generate-stack.ts), as time per monitored host against 8 nodes' (linear: near 1.00).
//     Median of interleaved repeats, in this process.
//
//   npm run bench:monitoring        (root; IBAC_BENCH_REPEATS=N: latency cycles, default 3; render repeats 7)
//   IBAC_BENCH_SECTIONS=render      (only (b), no root needed)
import { performance } from "node:perf_hooks";
import { buildModel } from "../components/model/build";
import { deriveMonitoringPlan } from "../monitoring/plan/derive-monitoring-plan";
import { renderEngineFiles } from "../monitoring/nagios/render-engine-files";
import { renderShinkenFiles } from "../monitoring/shinken/render-shinken-files";
import { PRODUCTION_MONITORING_PATHS } from "../monitoring/paths";
import { worstCaseNotifySeconds, type MonitoringPlan } from "../monitoring/plan/types";
import { generateStackSpec } from "../test/fixtures/generate-stack";
import { stackSpec } from "../test/fixtures/specs";
import { startMonitoringLab } from "../test/lab/monitoring/monitoring-lab";
import { notificationOf } from "../test/lab/monitoring/notification-mail";

const TARGET_SECONDS = 60;
const NAGIOS_DEFAULTS = { intervalSeconds: 300, retryIntervalSeconds: 60, attempts: 3 } as const;
const cycles = Number(process.env.IBAC_BENCH_REPEATS ?? 3);
const renderRepeats = 7;
const sections = (process.env.IBAC_BENCH_SECTIONS ?? "latency,render").split(",");
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = (ms: number): string => (ms / 1000).toFixed(1);

async function latencySection(): Promise<void> {
  const timing = stackSpec("prod").monitoring.checks;
  const worst = worstCaseNotifySeconds(timing);
  const nagiosWorst = worstCaseNotifySeconds(NAGIOS_DEFAULTS);
  console.log(`(a) notification latency, lab (nagios4 + NRPE in namespaces, MariaDB replica db-2 stopped/started), prod timing ${timing.intervalSeconds} s / ${timing.retryIntervalSeconds} s / ${timing.attempts} attempts, ${cycles} cycles`);
  const lab = await startMonitoringLab({ timing, monitoringVms: ["mon-1"] });
  try {
    await lab.allGreen(4 * worst * 1000);
    await lab.sinkQuiet(5_000, 120_000);
    const problems: number[] = [];
    const recoveries: number[] = [];
    const firstAfter = async (mark: number, type: string, since: number): Promise<number> => {
      const m = await lab.sink.waitFor((x) => notificationOf(x)?.type === type && notificationOf(x)?.host === "db-2", 3 * worst * 1000, mark);
      return m.receivedAt - since;
    };
    for (let i = 0; i < cycles; i++) {
      let mark = lab.sink.messages().length;
      const stopped = Date.now();
      await lab.db.stopServer("db-2");
      problems.push(await firstAfter(mark, "PROBLEM", stopped));
      await lab.sinkQuiet(3_000, 120_000);
      mark = lab.sink.messages().length;
      const started = Date.now();
      await lab.db.startServer("db-2");
      recoveries.push(await firstAfter(mark, "RECOVERY", started));
      await lab.allGreen(4 * worst * 1000);
      await lab.sinkQuiet(3_000, 120_000);
      console.log(`  cycle ${i + 1}: stop -> PROBLEM mail ${s(problems[i])} s, start -> RECOVERY mail ${s(recoveries[i])} s`);
    }
    const p = median(problems);
    const r = median(recoveries);
    console.log("                      measured (median, max)   spec worst case   measured/worst   Nagios defaults worst   measured/Nagios");
    console.log(`  stop -> PROBLEM     ${`${s(p)} s, ${s(Math.max(...problems))} s`.padEnd(24)} ${`${worst} s`.padStart(15)}   ${(p / 1000 / worst).toFixed(2).padStart(14)}   ${`${nagiosWorst} s (${NAGIOS_DEFAULTS.intervalSeconds / 60}-${nagiosWorst / 60} min)`.padStart(21)}   ${(p / 1000 / nagiosWorst).toFixed(3).padStart(15)}`);
    console.log(`  start -> RECOVERY   ${`${s(r)} s, ${s(Math.max(...recoveries))} s`.padEnd(24)} ${`${timing.intervalSeconds} s`.padStart(15)}   ${(r / 1000 / timing.intervalSeconds).toFixed(2).padStart(14)}   ${`${NAGIOS_DEFAULTS.intervalSeconds} s`.padStart(21)}   ${(r / 1000 / NAGIOS_DEFAULTS.intervalSeconds).toFixed(3).padStart(15)}`);
    console.log(`  (recovery: a hard problem is re-checked every interval, so its worst case is one interval)`);
    const maxP = Math.max(...problems) / 1000;
    console.log(`target: a problem notified in under ${TARGET_SECONDS} s -> max ${maxP.toFixed(1)} s ${maxP < TARGET_SECONDS ? "(met)" : "(NOT met)"}`);
  } finally {
    await lab.stop();
  }
}

function renderOnce(nodes: number): { plan: MonitoringPlan; files: number } {
  const spec = generateStackSpec(nodes);
  const model = buildModel(spec).model;
  if (!model) throw new Error(`generated stack of ${nodes} nodes builds no model`);
  const plan = deriveMonitoringPlan(spec, model, []);
  const vm = plan.servers[0].vm;
  const files = renderEngineFiles(plan, vm, PRODUCTION_MONITORING_PATHS.engine, { mysqlPassword: "bench-not-a-secret" });
  const shinken = plan.engine === "shinken" ? renderShinkenFiles(plan, PRODUCTION_MONITORING_PATHS.engine, vm) : [];
  return { plan, files: files.length + shinken.length };
}

function renderSection(): void {
  const NODES = [8, 16, 32, 64] as const;
  // The model is built outside the timing (bench/plan.ts measures it); the timing is plan + objects.
  const models = new Map(NODES.map((n) => {
    const spec = generateStackSpec(n);
    const model = buildModel(spec).model;
    if (!model) throw new Error(`generated stack of ${n} nodes builds no model`);
    return [n, { spec, model }] as const;
  }));
  const samples = new Map<number, number[]>(NODES.map((n) => [n, []]));
  const shapes = new Map<number, { hosts: number; checks: number; files: number; engine: string }>();
  for (const n of NODES) renderOnce(n); // warm the JIT
  for (let i = 0; i < renderRepeats; i++) {
    for (const n of NODES) {
      const m = models.get(n);
      if (!m) continue;
      const t = performance.now();
      const plan = deriveMonitoringPlan(m.spec, m.model, []);
      const vm = plan.servers[0].vm;
      const files = renderEngineFiles(plan, vm, PRODUCTION_MONITORING_PATHS.engine, { mysqlPassword: "bench-not-a-secret" });
      const shinken = plan.engine === "shinken" ? renderShinkenFiles(plan, PRODUCTION_MONITORING_PATHS.engine, vm) : [];
      samples.get(n)?.push(performance.now() - t);
      shapes.set(n, { hosts: plan.hosts.length, checks: plan.checks.length, files: files.length + shinken.length, engine: plan.engine });
    }
  }
  console.log(`(b) model -> objects (deriveMonitoringPlan + renderEngineFiles [+ renderShinkenFiles]), generated stacks, median of ${renderRepeats} interleaved runs`);
  console.log("nodes   engine    hosts   checks   files    time ms   us/host   per host vs 8 nodes");
  const base = median(samples.get(8) ?? [1]) / (shapes.get(8)?.hosts ?? 1);
  for (const n of NODES) {
    const t = median(samples.get(n) ?? [0]);
    const sh = shapes.get(n);
    if (!sh) continue;
    const perHost = t / sh.hosts;
    console.log(`${String(n).padStart(5)}   ${sh.engine.padEnd(7)}   ${String(sh.hosts).padStart(5)}   ${String(sh.checks).padStart(6)}   ${String(sh.files).padStart(5)}   ${t.toFixed(1).padStart(8)}   ${(perHost * 1000).toFixed(0).padStart(7)}   ${(perHost / base).toFixed(2).padStart(19)}`);
  }
  const r64 = median(samples.get(64) ?? [0]) / (shapes.get(64)?.hosts ?? 1) / base;
  console.log(`target: linear in hosts (64 nodes' time per host within 0.5-1.5x of 8 nodes') -> ${r64.toFixed(2)}x ${r64 >= 0.5 && r64 <= 1.5 ? "(met)" : "(NOT met)"}`);
}

async function main(): Promise<void> {
  if (sections.includes("render")) renderSection();
  if (sections.includes("latency")) await latencySection();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
