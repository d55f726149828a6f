import * as path from "node:path";
import type { PolicyResource } from "@pulumi/policy";
import { loadStackFile, stackFilePath } from "../../components/spec/load";
import { runOfflinePlan } from "../../cli/plan/run-offline-plan";
import { USER_DATA_PATH_IN_VM } from "../../components/vm/component";
import { targetPathOf } from "../../components/vm/deliver";
import type { PlatformPolicyView } from "../../components/platform";
import { PLATFORM_TYPE, readPolicyView, writePolicyView } from "../kit/platform-view";
import type { Finding, IbacPolicy } from "../kit/types";
import { clonePolicyResources, policyResourcesOf } from "../offline/policy-resources";
import { runPolicies, type PolicyOutcome } from "../offline/run-policies";

const projectDir = path.resolve(__dirname, "../..");
const cache = new Map<string, Promise<PolicyResource[]>>();

/**
 * The resources of a stack in `stacks/`, from the offline plan (pulumi.runtime.setMocks: a plan, not a
 * deployment), as policies see them. Computed once per test file; callers get a fresh copy each time.
 */
export async function stackResources(stack: string): Promise<PolicyResource[]> {
  let pending = cache.get(stack);
  if (!pending) {
    pending = runOfflinePlan(loadStackFile(stackFilePath(projectDir, stack))).then(policyResourcesOf);
    cache.set(stack, pending);
  }
  return clonePolicyResources(await pending);
}

/** Applies `change` to every resource matching `match` (at least one must match, or the test is wrong). */
export function mutate(resources: PolicyResource[], match: (r: PolicyResource) => boolean, change: (r: PolicyResource) => void): PolicyResource[] {
  const hits = resources.filter(match);
  if (hits.length === 0) throw new Error("mutate: no resource matched: the test's mutation would change nothing");
  hits.forEach(change);
  return resources;
}

/** Changes the spec and model the platform component carries (what stack policies read as the design). */
export function mutatePlatform(resources: PolicyResource[], change: (view: PlatformPolicyView) => void): PolicyResource[] {
  return mutate(resources, (r) => r.type === PLATFORM_TYPE, (r) => {
    const view = readPolicyView(r);
    if (!view) throw new Error("mutatePlatform: the platform component carries no policy view");
    change(view);
    writePolicyView(r, view);
  });
}

/** Removes the resources matching `match` (at least one). */
export function remove(resources: PolicyResource[], match: (r: PolicyResource) => boolean): PolicyResource[] {
  const kept = resources.filter((r) => !match(r));
  if (kept.length === resources.length) throw new Error("remove: no resource matched");
  return kept;
}

/** One policy's outcome on the resources, through the same runner `ibac check` uses. */
export async function outcomeOf(policy: IbacPolicy, resources: readonly PolicyResource[]): Promise<PolicyOutcome> {
  const [outcome] = await runPolicies([policy], resources);
  return outcome;
}

/** The findings, asserting the policy ran (an error or "not applicable" is never a silent pass). */
export async function findingsOf(policy: IbacPolicy, resources: readonly PolicyResource[]): Promise<Finding[]> {
  const outcome = await outcomeOf(policy, resources);
  if (outcome.status === "error" || outcome.status === "not-applicable") throw new Error(`${policy.name}: ${outcome.status}: ${outcome.detail ?? ""}`);
  return outcome.findings;
}

/** Rewrites the text one file-carrying resource delivers to a VM, the way a renderer bug would. */
export function editDeliveredFile(resources: PolicyResource[], vm: string, path: string, edit: (text: string) => string): PolicyResource[] {
  return mutate(resources, (r) => r.type === "command:remote:CopyToRemote" && r.name.startsWith(`${vm}-config-`) && targetPathOf(String(r.props.remotePath)) === path, (r) => {
    const source = r.props.source as { text: string };
    const next = edit(source.text);
    if (next === source.text) throw new Error(`editDeliveredFile: the edit left ${vm}:${path} unchanged`);
    r.props.source = { text: next };
  });
}

/** Rewrites the cloud-init user data of one snippet (`<vm>-user-data-<node>`), as a renderer bug would. */
export function editUserData(resources: PolicyResource[], snippetName: string, edit: (text: string) => string): PolicyResource[] {
  return mutate(resources, (r) => r.type === "proxmoxve:index/fileLegacy:FileLegacy" && r.name === snippetName, (r) => {
    const raw = r.props.sourceRaw as { data: string };
    const next = edit(raw.data);
    if (next === raw.data) throw new Error(`editUserData: the edit left ${snippetName} (${USER_DATA_PATH_IN_VM}) unchanged`);
    r.props.sourceRaw = { ...raw, data: next };
  });
}
