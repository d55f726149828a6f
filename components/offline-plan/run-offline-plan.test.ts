import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { listStacks, loadStackFile, stackFilePath } from "../spec/load";
import { TIER_NAMES } from "../spec/schema";
import { PLATFORM_TYPE } from "../model/policy-view";
import { runOfflinePlan, type OfflinePlan, type PlanResource } from "./run-offline-plan";
import { writePlan } from "./write-plan";
import { PROVIDER_TYPES, RESOURCE_TYPES, RESOURCES, isResourceOf, type ResourceClass } from "../resource-types";

const projectDir = path.resolve(__dirname, "../..");
const plans = new Map<string, OfflinePlan>();

async function planOf(stack: string): Promise<OfflinePlan> {
  const cached = plans.get(stack);
  if (cached) return cached;
  const plan = await runOfflinePlan(loadStackFile(stackFilePath(projectDir, stack)));
  plans.set(stack, plan);
  return plan;
}

const ofType = (plan: OfflinePlan, resourceClass: ResourceClass): PlanResource[] => plan.resources.filter((r) => isResourceOf(r, resourceClass));
const VM = RESOURCES.VmLegacy;

describe.each(listStacks(projectDir))("stack %s: the Pulumi program under pulumi.runtime.setMocks (a plan, not a deployment)", (stack) => {
  it("runs every tier on at least two VMs, each on a different node", async () => {
    const plan = await planOf(stack);
    for (const tier of TIER_NAMES) {
      const vms = ofType(plan, VM).filter((r) => (r.inputs.tags as string[]).includes(tier.toLowerCase()));
      expect(vms.length, tier).toBeGreaterThanOrEqual(2);
      expect(new Set(vms.map((r) => r.inputs.nodeName)).size, tier).toBe(vms.length);
    }
  });

  it("gives every VM an HA resource and a replication job to its failover node, but the DRBD peers none", async () => {
    const plan = await planOf(stack);
    const haIds = new Set(ofType(plan, RESOURCES.Haresource).map((r) => r.inputs.resourceId));
    const replicationIds = new Set(ofType(plan, RESOURCES.Replication).map((r) => r.inputs.resourceId));
    const vms = ofType(plan, VM);
    expect(vms.length).toBe(plan.model.vms.length);
    for (const vm of vms) {
      expect(haIds.has(`vm:${vm.inputs.vmId}`), vm.name).toBe(true);
      const drbdPeer = String(vm.inputs.name).startsWith("s3-") || String(vm.inputs.name).startsWith("bkp-");
      expect(replicationIds.has(`${vm.inputs.vmId}-0`), vm.name).toBe(!drbdPeer);
      // DRBD replicates its data disk; Proxmox replicating it too would fight DRBD.
      const disks = vm.inputs.disks as { interface: string; replicate: boolean }[];
      if (drbdPeer) expect(disks.find((d) => d.interface === "scsi1")?.replicate, vm.name).toBe(false);
    }
  });

  it("registers only resource classes the type registry knows, and the platform under its policy-view token", async () => {
    const plan = await planOf(stack);
    const known = new Set<string>([...Object.values(RESOURCE_TYPES), ...Object.values(PROVIDER_TYPES)]);
    const unknown = plan.resources.map((r) => r.type).filter((t) => !t.startsWith("ibac:") && !known.has(t));
    expect([...new Set(unknown)]).toEqual([]);
    expect(plan.resources.filter((r) => r.type === PLATFORM_TYPE)).toHaveLength(1);
  });

  it("sets up the QDevice when the cluster has two nodes", async () => {
    const plan = await planOf(stack);
    expect(plan.model.nodes).toHaveLength(2);
    const setup = ofType(plan, RESOURCES.RemoteCommand).filter((r) => String(r.inputs.create).includes("pvecm qdevice setup"));
    expect(setup).toHaveLength(1);
    expect(String(setup[0].inputs.create)).toContain(plan.model.qdevice?.address);
    const qnetd = ofType(plan, RESOURCES.RemoteCommand).filter((r) => String(r.inputs.create).includes("corosync-qnetd"));
    expect(qnetd).toHaveLength(1);
  });

  it("uses HA rules on Proxmox VE 9 and HA groups on VE 8, never both", async () => {
    const plan = await planOf(stack);
    const rules = ofType(plan, RESOURCES.Harule);
    const groups = ofType(plan, RESOURCES.Hagroup);
    if (plan.model.proxmoxVersion >= 9) {
      expect(rules.length).toBeGreaterThan(0);
      expect(groups).toHaveLength(0);
    } else {
      expect(groups.length).toBeGreaterThan(0);
      expect(rules).toHaveLength(0);
      for (const ha of ofType(plan, RESOURCES.Haresource)) expect(ha.inputs.group).toMatch(/^ibac-/);
    }
  });

  it("turns the firewall on with inbound default deny, cluster-wide and on every VM NIC", async () => {
    const plan = await planOf(stack);
    const [cluster] = ofType(plan, RESOURCES.ClusterFirewallLegacy);
    expect(cluster.inputs).toMatchObject({ enabled: true, inputPolicy: "DROP" });
    const options = ofType(plan, RESOURCES.FirewallOptionsLegacy);
    expect(options).toHaveLength(plan.model.vms.length);
    for (const o of options) expect(o.inputs).toMatchObject({ enabled: true, inputPolicy: "DROP" });
    for (const vm of ofType(plan, VM)) {
      for (const nic of vm.inputs.networkDevices as { firewall: boolean }[]) expect(nic.firewall).toBe(true);
    }
  });

  it("sets an explicit guest-agent timeout and boots every VM from the cloud-init snippet on its node", async () => {
    const plan = await planOf(stack);
    for (const vm of ofType(plan, VM)) {
      expect((vm.inputs.agent as { timeout: string }).timeout).toMatch(/^\d+m$/);
      expect((vm.inputs.initialization as { userDataFileId: string }).userDataFileId).toMatch(/:snippets\/ibac-.*-user-data\.yaml$/);
    }
  });

  it("writes plan.json and one user-data artifact per VM, with no secret value anywhere", async () => {
    const plan = await planOf(stack);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ibac-plan-${stack}-`));
    const written = writePlan(plan, dir);
    const document = JSON.parse(fs.readFileSync(written.planFile, "utf8")) as { stack: string; resources: PlanResource[]; model: unknown };
    expect(document.stack).toBe(stack);
    expect(document.resources.length).toBe(plan.resources.length);
    for (const r of document.resources) expect(Object.keys(r).sort()).toEqual(expect.arrayContaining(["inputs", "name", "type", "urn"]));

    for (const vm of plan.model.vms) {
      expect(fs.existsSync(path.join(dir, "artifacts", vm.name, "var/lib/cloud/instance/user-data.txt")), vm.name).toBe(true);
    }
    const provider = plan.resources.find((r) => r.type === PROVIDER_TYPES.Proxmox) as PlanResource;
    expect(provider.inputs.apiToken).toBe("[secret]");

    expect(plan.knownSecrets.length).toBeGreaterThanOrEqual(4);
    const files = [written.planFile, ...written.artifactFiles];
    for (const file of files) {
      const text = fs.readFileSync(file, "utf8");
      for (const secret of plan.knownSecrets) expect(text.includes(secret), `${secret} in ${file}`).toBe(false);
      expect(text).not.toMatch(/BEGIN (OPENSSH|RSA|EC) PRIVATE KEY/);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
