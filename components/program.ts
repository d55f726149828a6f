import * as pulumi from "@pulumi/pulumi";
import type { LoadedStack } from "./spec/load";
import { IbacPlatform } from "./platform";
import type { OperatorSecrets } from "./tiers/tier-component";

export interface PlatformOutputs {
  /** Where each VM runs and how to reach it. */
  vms: Record<string, { node: string; failoverNode?: string; vmId: number; address: string; tier: string }>;
  placement: Record<string, string[]>;
  /** Secret: the least-privilege automation token the stack created. */
  automationToken: pulumi.Output<string>;
  /** The VPN peers' issuing CAs (mobiles, site), each key a secret: mobile and site certificates are issued from them. */
  peerIssuingCas: IbacPlatform["peerIssuingCas"];
  /** The backup tier's NAS public key (OpenSSH): `pulumi stack output backupNasPublicKey`, for the NAS account's authorized_keys. */
  backupNasPublicKey?: pulumi.Output<string>;
}

/** The optional config secrets, each only when the stack sets it. */
function operatorSecrets(config: pulumi.Config): OperatorSecrets {
  const optional = (key: string): pulumi.Output<string> | undefined => config.getSecret(key);
  const fenceIpmiPassword = optional("fenceIpmiPassword");
  const replicationAccessKey = optional("replicationAccessKey");
  const replicationSecretKey = optional("replicationSecretKey");
  return {
    ...(fenceIpmiPassword ? { fenceIpmiPassword } : {}),
    ...(replicationAccessKey ? { replicationAccessKey } : {}),
    ...(replicationSecretKey ? { replicationSecretKey } : {}),
  };
}

/**
 * The Pulumi program proper, shared by `index.ts` (real deployments) and `ibac plan` (in-process, mocked).
 * Secrets come from the stack's Pulumi config, never from the spec.
 */
export function definePlatform(stack: LoadedStack, opts?: pulumi.ComponentResourceOptions): PlatformOutputs {
  const config = new pulumi.Config("ibac");
  const platform = new IbacPlatform("ibac", {
    spec: stack.spec,
    model: stack.model,
    proxmoxApiToken: config.requireSecret("proxmoxApiToken"),
    nodeSshPrivateKey: config.requireSecret("sshPrivateKey"),
    secrets: operatorSecrets(config),
  }, opts);
  return {
    vms: Object.fromEntries(stack.model.vms.map((vm) => [vm.name, {
      node: vm.node,
      ...(vm.failoverNode ? { failoverNode: vm.failoverNode } : {}),
      vmId: vm.vmId,
      address: vm.nics[0].address,
      tier: vm.tier,
    }])),
    placement: stack.model.placement,
    automationToken: platform.automationToken,
    peerIssuingCas: platform.peerIssuingCas,
    ...(platform.backupNasPublicKey ? { backupNasPublicKey: platform.backupNasPublicKey } : {}),
  };
}
