import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadStackFile, stackFilePath } from "../../components/spec/load";
import { runOfflinePlan } from "../../components/offline-plan/run-offline-plan";
import { allPolicies } from "../all-policies";
import { loadCatalogue } from "../catalogue/load-catalogue";
import { PLATFORM_TYPE } from "../../components/model/policy-view";
import { evaluateCompliance } from "../results/evaluate";
import { loadWaivers, type WaiverRules } from "../results/waivers";
import type { RequirementCatalogue } from "../catalogue/types";
import type { IbacPolicy } from "../kit/types";
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

/** The stacks of `stacks/` (`Pulumi.<stack>.yaml`), for the waivers' `stack` field. */
export function knownStacks(projectDir: string): string[] {
  try {
    return fs.readdirSync(path.join(projectDir, "stacks")).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []).sort();
  } catch {
    return [];
  }
}

/**
 * What bounds a waiver: the stacks there are, and which targets are critical (a requirement of severity
 * critical, or a policy of severity critical or serving a critical requirement).
 */
export function waiverRules(catalogue: RequirementCatalogue, policies: readonly IbacPolicy[], projectDir: string, now?: Date): WaiverRules {
  const critical = new Set(catalogue.requirements.filter((r) => r.severity === "critical").map((r) => r.id));
  for (const p of policies) if (p.severity === "critical" || p.requirements.some((id) => critical.has(id))) critical.add(p.name);
  return {
    isCritical: (target) => critical.has(target),
    stacks: knownStacks(projectDir),
    requirements: catalogue.requirements.map((r) => r.id),
    policies: policies.map((p) => p.name),
    ...(now ? { today: now.toISOString().slice(0, 10) } : {}),
  };
}

/**
 * The offline plan of a stack (pulumi.runtime.setMocks: no Proxmox, no Pulumi CLI) checked by every policy
 * of the pack, joined with the requirement catalogue and the waivers.
 */
export async function checkStack(options: CheckStackOptions): Promise<{ result: ComplianceResult; timings: CheckTimings }> {
  const now = options.now ?? new Date();
  const catalogue = loadCatalogue();
  const policies = allPolicies({ now: () => now });
  const waivers = options.waiversFile ? loadWaivers(path.resolve(options.waiversFile), options.waiversFile, waiverRules(catalogue, policies, options.projectDir, now)) : [];
  const loaded = loadStackFile(stackFilePath(options.projectDir, options.stack), path.join("stacks", `Pulumi.${options.stack}.yaml`));
  const planStart = performance.now();
  const plan = await runOfflinePlan(loaded);
  const policiesStart = performance.now();
  const resources = policyResourcesOf(plan);
  const outcomes = await runPolicies(policies, resources);
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
