import * as pulumi from "@pulumi/pulumi";
import * as proxmox from "@muhlba91/pulumi-proxmoxve";
import type { HaPlan } from "../model/types";

export interface HaRulesArgs {
  /** The HA plan of the model: node affinity per (home, failover) pair, anti-affinity where it is safe. */
  ha: HaPlan;
  provider: proxmox.Provider;
  /**
   * Each VM's HA resource, by VM id: a rule waits for the HA resources of the VMs it names (it cannot
   * refer to a VM that HA does not manage yet), and for no others.
   */
  haResources: ReadonlyMap<number, pulumi.Resource>;
}

/** Proxmox VE 9 HA rules (`Harule`), which replaced HA groups. */
export class HaRules extends pulumi.ComponentResource {
  constructor(name: string, args: HaRulesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ibac:cluster:HaRules", name, {}, opts);
    const ruleOpts = (vmIds: number[]): pulumi.CustomResourceOptions => ({
      parent: this,
      provider: args.provider,
      dependsOn: vmIds.map((id) => {
        const resource = args.haResources.get(id);
        if (!resource) throw new Error(`HaRules: rule names vm:${id}, which has no HA resource`);
        return resource;
      }),
    });
    for (const plan of args.ha.nodeAffinity) {
      new proxmox.Harule(`${name}-${plan.id}`, {
        rule: plan.id,
        type: "node-affinity",
        nodes: plan.nodes,
        strict: plan.strict,
        resources: plan.vmIds.map((id) => `vm:${id}`),
        comment: "home node first; recovered only where the disks are replicated",
      }, ruleOpts(plan.vmIds));
    }
    for (const plan of args.ha.resourceAffinity) {
      new proxmox.Harule(`${name}-${plan.id}`, {
        rule: plan.id,
        type: "resource-affinity",
        affinity: "negative",
        resources: plan.vmIds.map((id) => `vm:${id}`),
        comment: `keep the ${plan.tier} VMs on separate nodes`,
      }, ruleOpts(plan.vmIds));
    }
    this.registerOutputs({});
  }
}
