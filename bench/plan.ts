// Benchmark of `ibac plan`: prod and generated 8/32/64-node stacks, each run as the real CLI in a fresh
// process, side by side with the bare cost of loading @pulumi/pulumi and the Proxmox SDK in Node.
// Prints ratios only: this machine is shared and noisy, so every figure is measured in the same run,
// interleaved, and the median of the repeats is used.
//
//   npm run bench            (IBAC_BENCH_REPEATS=N to change the number of repeats, default 5)
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { generateStackText } from "../test/fixtures/generate-stack";
import { loadStackFile, stackFilePath } from "../components/spec/load";

const root = path.resolve(__dirname, "..");
const repeats = Number(process.env.IBAC_BENCH_REPEATS ?? 5);

/** A project folder with prod and the generated stacks, so the CLI plans them like any other stack. */
function benchProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-bench-"));
  fs.mkdirSync(path.join(dir, "stacks"));
  fs.copyFileSync(path.join(root, "stacks/Pulumi.prod.yaml"), path.join(dir, "stacks/Pulumi.prod.yaml"));
  for (const n of [8, 32, 64]) fs.writeFileSync(path.join(dir, `stacks/Pulumi.gen${n}.yaml`), generateStackText(n));
  return dir;
}

function timed(args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const start = performance.now();
  const run = spawnSync(process.execPath, args, { cwd: root, env, encoding: "utf8" });
  const elapsed = performance.now() - start;
  if (run.status !== 0) throw new Error(`${args.join(" ")} failed (${run.status}):\n${run.stderr}`);
  return elapsed;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function main(): void {
  const project = benchProject();
  const out = path.join(project, "out");
  const stacks = ["prod", "gen8", "gen32", "gen64"];
  const vmCount = Object.fromEntries(stacks.map((s) => [s, loadStackFile(stackFilePath(project, s)).model.vms.length]));
  const bare = ["-e", "require('@pulumi/pulumi'); require('@muhlba91/pulumi-proxmoxve')"];
  const samples: Record<string, number[]> = { bare: [], ...Object.fromEntries(stacks.map((s) => [s, []])) };

  // One warm-up of each, then interleaved repeats so that machine noise hits every figure alike.
  timed(bare);
  for (const s of stacks) timed([path.join(root, "bin/ibac.js"), "plan", "--stack", s, "--out", path.join(out, s)], { ...process.env, IBAC_PROJECT_DIR: project });
  for (let i = 0; i < repeats; i++) {
    samples.bare.push(timed(bare));
    for (const s of stacks) {
      samples[s].push(timed([path.join(root, "bin/ibac.js"), "plan", "--stack", s, "--out", path.join(out, s)], { ...process.env, IBAC_PROJECT_DIR: project }));
    }
  }

  const t = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
  // Growth is judged on the time above the fixed start-up cost, per VM, against prod's.
  const perVm = (s: string): number => (t[s] - t.bare) / vmCount[s];
  console.log(`ibac plan benchmark: median of ${repeats} interleaved runs per figure (ratios only; absolute times vary with load)`);
  console.log("");
  console.log("stack    VMs   plan / bare load   plan / prod   (plan - bare) per VM / prod's");
  for (const s of stacks) {
    console.log(`${s.padEnd(8)} ${String(vmCount[s]).padStart(4)}   ${(t[s] / t.bare).toFixed(2).padStart(16)}   ${(t[s] / t.prod).toFixed(2).padStart(11)}   ${(perVm(s) / perVm("prod")).toFixed(2).padStart(10)}`);
  }
  console.log("");
  const prodRatio = t.prod / t.bare;
  const growth = perVm("gen64") / perVm("prod");
  console.log(`target: prod within 3x the bare load          -> ${prodRatio.toFixed(2)}x ${prodRatio <= 3 ? "(met)" : "(NOT met)"}`);
  console.log(`target: growth no worse than linear in VMs     -> per-VM cost at 64 nodes is ${growth.toFixed(2)}x prod's ${growth <= 1.25 ? "(met)" : "(NOT met)"}`);
  fs.rmSync(project, { recursive: true, force: true });
}

main();
