// Benchmark of `ibac plan`: prod and generated 8/32/64-node stacks, each figure from a fresh process under
// Node's default heap, side by side with a bare Pulumi program of as many plain resources under the same mocks.
// Per stack it prints the resources and VMs, the in-process plan's cost per resource (and as a ratio of
// prod's and of two bare programs': plain resources, and resources of the plan's own shapes), and the peak
// memory of the plan and of the real CLI (`ibac plan`).
// This machine is shared and noisy: every figure is measured in the same run, interleaved, and the median
// of the repeats is used; the targets are judged on ratios and on memory, never on absolute times.
//
//   npm run bench            (IBAC_BENCH_REPEATS=N to change the number of repeats, default 3)
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { generateStackText } from "../test/fixtures/generate-stack";
import type { PlanMeasurement } from "./plan-measure";

const root = path.resolve(__dirname, "..");
const repeats = Number(process.env.IBAC_BENCH_REPEATS ?? 3);
const STACKS = ["prod", "gen8", "gen32", "gen64"];
const TARGET_STACK = "gen64";
const MAX_PEAK_MIB = 2.5 * 1024;
const MAX_BARE_RATIO = 2;

/** A project folder with prod and the generated stacks, so the CLI plans them like any other stack. */
function benchProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-bench-"));
  fs.mkdirSync(path.join(dir, "stacks"));
  fs.copyFileSync(path.join(root, "stacks/Pulumi.prod.yaml"), path.join(dir, "stacks/Pulumi.prod.yaml"));
  for (const n of [8, 32, 64]) fs.writeFileSync(path.join(dir, `stacks/Pulumi.gen${n}.yaml`), generateStackText(n));
  return dir;
}

/** One measurement in a fresh Node process (no heap flags: Node's default heap is part of what is measured). */
function measure(args: string[]): PlanMeasurement {
  const run = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, "plan-measure.ts"), ...args], { cwd: root, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`plan-measure ${args.join(" ")} failed (${run.status}):\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split("\n").pop() ?? "") as PlanMeasurement;
}

/** The real CLI, `ibac plan`, under /usr/bin/time: its wall time and peak resident set (KiB). */
function cliRun(project: string, stack: string): { ms: number; maxRssKiB: number } {
  const rssFile = path.join(project, `rss-${stack}`);
  const start = performance.now();
  const run = spawnSync("/usr/bin/time", ["-f", "%M", "-o", rssFile, process.execPath, path.join(root, "bin/ibac.js"), "plan", "--stack", stack, "--out", path.join(project, "out", stack)], {
    cwd: root,
    env: { ...process.env, IBAC_PROJECT_DIR: project },
    encoding: "utf8",
  });
  const ms = performance.now() - start;
  if (run.status !== 0) throw new Error(`ibac plan --stack ${stack} failed (${run.status}):\n${run.stderr}`);
  return { ms, maxRssKiB: Number(fs.readFileSync(rssFile, "utf8").trim().split("\n").pop()) };
}

/** Where the platform measurement leaves its resources' shapes for the shaped baseline. */
const shapesFile = (project: string, stack: string): string => path.join(project, `shapes-${stack}.json`);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mib = (kib: number): number => kib / 1024;

interface Samples {
  resources: number;
  vms: number;
  plan: number[];
  bare: number[];
  shaped: number[];
  cli: number[];
  planPeakKiB: number;
  cliPeakKiB: number;
}

function main(): void {
  const project = benchProject();
  try {
    const samples = new Map<string, Samples>();
    // The first run of each stack counts its resources (the bare program registers as many) and is a warm-up.
    for (const s of STACKS) {
      const first = measure(["platform", project, s, shapesFile(project, s)]);
      samples.set(s, { resources: first.resources, vms: first.vms, plan: [], bare: [], shaped: [], cli: [], planPeakKiB: 0, cliPeakKiB: 0 });
    }
    // Interleaved repeats, so that machine noise hits every figure alike.
    for (let i = 0; i < repeats; i++) {
      for (const s of STACKS) {
        const entry = samples.get(s) as Samples;
        const plan = measure(["platform", project, s, shapesFile(project, s)]);
        const bare = measure(["plain", project, s, shapesFile(project, s)]);
        const shaped = measure(["shaped", project, s, shapesFile(project, s)]);
        const cli = cliRun(project, s);
        entry.plan.push(plan.ms / plan.resources);
        entry.bare.push(bare.ms / bare.resources);
        entry.shaped.push(shaped.ms / shaped.resources);
        entry.cli.push(cli.ms / plan.resources);
        entry.planPeakKiB = Math.max(entry.planPeakKiB, plan.maxRssKiB);
        entry.cliPeakKiB = Math.max(entry.cliPeakKiB, cli.maxRssKiB);
      }
    }

    const prod = samples.get("prod") as Samples;
    const target = samples.get(TARGET_STACK) as Samples;
    console.log(`ibac plan benchmark: median of ${repeats} interleaved runs per figure, each in a fresh process under Node's default heap`);
    console.log("plan = runOfflinePlan in process; bare = a bare Pulumi program of as many plain resources, same mocks;");
    console.log("shaped = a bare program of the plan's resources (custom or component, as many properties each), same mocks; cli = `ibac plan`, start-up included");
    console.log("");
    console.log("stack    VMs  resources  plan ms/res  vs prod  bare ms/res  plan/bare  plan/shaped  cli ms/res  peak MiB plan  peak MiB cli");
    for (const [s, e] of samples) {
      const plan = median(e.plan);
      const bare = median(e.bare);
      console.log(
        `${s.padEnd(8)} ${String(e.vms).padStart(3)}  ${String(e.resources).padStart(9)}  ${plan.toFixed(3).padStart(11)}  ${(plan / median(prod.plan)).toFixed(2).padStart(7)}` +
          `  ${bare.toFixed(3).padStart(11)}  ${(plan / bare).toFixed(2).padStart(9)}  ${(plan / median(e.shaped)).toFixed(2).padStart(11)}` +
          `  ${median(e.cli).toFixed(3).padStart(10)}  ${mib(e.planPeakKiB).toFixed(0).padStart(13)}  ${mib(e.cliPeakKiB).toFixed(0).padStart(12)}`,
      );
    }
    console.log("");
    const growth = median(target.plan) / median(prod.plan);
    const peak = mib(Math.max(target.planPeakKiB, target.cliPeakKiB));
    const bareRatio = median(target.plan) / median(target.bare);
    const verdict = (met: boolean): string => (met ? "(met)" : "(NOT met)");
    console.log(`target: per-resource cost at 64 nodes no more than prod's          -> ${growth.toFixed(2)}x prod's ${verdict(growth <= 1)}`);
    console.log(`target: peak memory at 64 nodes under ${MAX_PEAK_MIB} MiB, default heap    -> ${peak.toFixed(0)} MiB ${verdict(peak < MAX_PEAK_MIB)}`);
    console.log(`target: in-process cost per resource within ${MAX_BARE_RATIO}x the bare program's -> ${bareRatio.toFixed(2)}x at 64 nodes ${verdict(bareRatio <= MAX_BARE_RATIO)}`);
    // Why the line above can miss: the provider classes declare many outputs (a VmLegacy 61), and the SDK makes
    // an Output for each; the shaped program pays that too, so the ratio to it is what the program itself adds.
    const shapedRatio = median(target.plan) / median(target.shaped);
    console.log(`        the same against resources of the plan's own shapes          -> ${shapedRatio.toFixed(2)}x at 64 nodes ${verdict(shapedRatio <= MAX_BARE_RATIO)}`);
  } finally {
    fs.rmSync(project, { recursive: true, force: true });
  }
}

main();
