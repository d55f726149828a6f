// Issue 11, class 4: every SSH connection the deployment makes pins the key of the host it goes to, and the
// VMs' keys are the toolkit's own, installed by cloud-init, with their private halves masked in the plan.
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { listStacks, loadStackFile, stackFilePath } from "../spec/load";
import { runOfflinePlan, SECRET_MARK, type OfflinePlan, type PlanResource } from "./run-offline-plan";
import { RESOURCES, isResourceOf } from "../resource-types";
import { USER_DATA_PATH_IN_VM } from "../vm/component";

const projectDir = path.resolve(__dirname, "../..");
const plans = new Map<string, Promise<OfflinePlan>>();
function planOf(stack: string): Promise<OfflinePlan> {
  let plan = plans.get(stack);
  if (!plan) {
    plan = runOfflinePlan(loadStackFile(stackFilePath(projectDir, stack)));
    plans.set(stack, plan);
  }
  return plan;
}

/** `type base64` of a key line: what identifies the key. */
const identity = (line: string): string => line.trim().split(/\s+/).slice(0, 2).join(" ");

interface UserData {
  ssh_keys: Record<string, string>;
  ssh_deletekeys: boolean;
}

/** The key each host proves it holds: the spec's for nodes and the QDevice, the installed one for VMs. */
async function expectedHostKeys(stack: string, plan: OfflinePlan): Promise<Map<string, string>> {
  const { spec } = loadStackFile(stackFilePath(projectDir, stack));
  const keys = new Map<string, string>();
  for (const host of [...spec.proxmox.nodes, ...(spec.proxmox.qdevice ? [spec.proxmox.qdevice] : [])]) keys.set(host.address, identity(host.sshHostKey));
  for (const vm of plan.model.vms) {
    const artifact = plan.artifacts.find((a) => a.vm === vm.name && a.path === USER_DATA_PATH_IN_VM);
    if (!artifact) throw new Error(`no user-data for ${vm.name}`);
    const userData = parse(artifact.content) as UserData;
    const address = vm.nics.find((n) => n.network === "service")?.address ?? vm.nics[0].address;
    keys.set(address, identity(userData.ssh_keys.ed25519_public));
  }
  return keys;
}

const connectionOf = (r: PlanResource): { host: string; hostKey?: unknown } => r.inputs.connection as { host: string; hostKey?: unknown };

describe.each(listStacks(projectDir))("stack %s: SSH host keys (offline plan under mocks)", (stack) => {
  it("every Command and CopyToRemote connection pins the key of the host it connects to", async () => {
    const plan = await planOf(stack);
    const expected = await expectedHostKeys(stack, plan);
    const remote = plan.resources.filter((r) => isResourceOf(r, RESOURCES.RemoteCommand) || isResourceOf(r, RESOURCES.CopyToRemote));
    expect(remote.length).toBeGreaterThan(plan.model.vms.length);
    const unpinned = remote.filter((r) => typeof connectionOf(r).hostKey !== "string" || identity(String(connectionOf(r).hostKey)) !== expected.get(connectionOf(r).host));
    expect(unpinned.map((r) => `${r.name} -> ${connectionOf(r).host}: ${String(connectionOf(r).hostKey)}`)).toEqual([]);
    // Each VM its own key: one leaked key does not open the others.
    const vmKeys = plan.model.vms.map((vm) => expected.get(vm.nics.find((n) => n.network === "service")?.address ?? vm.nics[0].address));
    expect(new Set(vmKeys).size).toBe(plan.model.vms.length);
  });

  it("every VM gets one ed25519 host key from the toolkit, replacing the image's (the one key it offers is the pinned one)", async () => {
    const plan = await planOf(stack);
    const keys = plan.resources.filter((r) => isResourceOf(r, RESOURCES.PrivateKey) && /-host-key-/.test(r.name));
    expect(keys.map((k) => [k.name.replace(/-host-key-.*$/, ""), k.inputs.algorithm, k.inputs.rsaBits ?? null]).sort()).toEqual(
      plan.model.vms.map((vm) => [vm.name, "ED25519", null]).sort(),
    );
    for (const artifact of plan.artifacts.filter((a) => a.path === USER_DATA_PATH_IN_VM)) {
      const userData = parse(artifact.content) as UserData;
      expect(userData.ssh_deletekeys, artifact.vm).toBe(true);
      expect(Object.keys(userData.ssh_keys).sort(), artifact.vm).toEqual(["ed25519_private", "ed25519_public"]);
      expect(identity(userData.ssh_keys.ed25519_public)).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5/);
      // Private halves masked, in the artifact and in plan.json's copy of the snippet.
      expect(userData.ssh_keys.ed25519_private).toBe(`${SECRET_MARK}\n`);
    }
    const snippet = plan.resources.find((r) => isResourceOf(r, RESOURCES.FileLegacy) && r.inputs.contentType === "snippets");
    const data = String((snippet?.inputs.sourceRaw as { data?: string } | undefined)?.data);
    expect(data).toContain(`ed25519_private: |\n    ${SECRET_MARK}\n`);
    for (const secret of plan.knownSecrets) expect(JSON.stringify(plan.resources).includes(secret), secret).toBe(false);
  });

  it("the offline mocks' key pairs are made-up secrets, so the masking above can fail", async () => {
    const plan = await planOf(stack);
    const vm = plan.model.vms[0].name;
    expect(plan.knownSecrets.some((s) => s.includes(`${vm}-host-key-ed25519-openssh`))).toBe(true);
  });
});
