import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadStackFile, stackFilePath } from "../../components/spec/load";
import { runOfflinePlan } from "../../components/offline-plan/run-offline-plan";
import { allPolicies } from "../all-policies";
import { loadCatalogue } from "../catalogue/load-catalogue";
import { PLATFORM_TYPE } from "../../components/model/policy-view";
import { evaluateCompliance } from "../results/evaluate";
import { loadWaivers } from "../results/waivers";
import type { ComplianceResult } from "../results/types";
import { policyResourcesOf } from "./policy-resources";
import { runPolicies } from "./run-policies";

export interface CheckStackOptions {
  stack: string;
  projectDir: string;
  /** A waiver file (see `loadWaivers`). */
  waiversFile?: string;
  /** "Today" for end-of-life dates and waiver expiry (default: now). */
  now?: Date;
}

export interface CheckTimings {
  planMs: number;
  policiesMs: number;
}

/** `git rev-parse HEAD` of the toolkit, `-dirty` when the tree has changes; "unknown" outside a checkout. */
export function toolkitCommit(projectDir: string): string {
  try {
    const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: projectDir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: projectDir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return dirty ? `${head}-dirty` : head;
  } catch {
    return "unknown";
  }
}

export function toolkitVersion(projectDir: string): string {
  try {
    return String((JSON.parse(fs.readFileSync(path.join(projectDir, "package.json"), "utf8")) as { version?: string }).version ?? "unknown");
  } catch {
    return "unknown";
  }
}

/**
 * The offline plan of a stack (pulumi.runtime.setMocks: no Proxmox, no Pulumi CLI) checked by every policy
 * of the pack, joined with the requirement catalogue and the waivers.
 */
export async function checkStack(options: CheckStackOptions): Promise<{ result: ComplianceResult; timings: CheckTimings }> {
  const now = options.now ?? new Date();
  const waivers = options.waiversFile ? loadWaivers(path.resolve(options.waiversFile), options.waiversFile) : [];
  const catalogue = loadCatalogue();
  const loaded = loadStackFile(stackFilePath(options.projectDir, options.stack), path.join("stacks", `Pulumi.${options.stack}.yaml`));
  const planStart = performance.now();
  const plan = await runOfflinePlan(loaded);
  const policiesStart = performance.now();
  const resources = policyResourcesOf(plan);
  const outcomes = await runPolicies(allPolicies({ now: () => now }), resources);
  const policiesEnd = performance.now();
  const platformUrn = resources.find((r) => r.type === PLATFORM_TYPE)?.urn ?? "";
  const result = evaluateCompliance({
    stack: options.stack,
    catalogue,
    outcomes,
    waivers,
    model: plan.model,
    now,
    toolkitVersion: toolkitVersion(options.projectDir),
    gitCommit: toolkitCommit(options.projectDir),
    platformUrn,
  });
  return { result, timings: { planMs: policiesStart - planStart, policiesMs: policiesEnd - policiesStart } };
}
