import type * as pulumi from "@pulumi/pulumi";
import type * as command from "@pulumi/command";
import type { PlatformSpec, TierName } from "../spec/schema";
import type { PlatformModel, VmPlan } from "../model/types";
import type { RenderedFile } from "../vm/rendered-file";
import type { InternalCa } from "../pki/internal-ca";
import type { ServiceMonitor } from "./monitors";

/** An account a tier offers to the tiers that use it (the database's application account to the API). */
export interface TierCredential {
  user: string;
  /** A Pulumi secret. */
  password: pulumi.Output<string>;
  /** Who it is for, in a few words. */
  purpose: string;
}

/** A TLS endpoint one of the tier's VMs serves, with the certificate it presents (from the internal CA). */
export interface TlsEndpoint {
  vm: string;
  address: string;
  port: number;
  /** The name clients verify the certificate against. */
  serverName: string;
  what: string;
}

/** A VM as a tier sees it once declared: the component to depend on, and how the deployment reaches it over SSH. */
export interface DeclaredVm {
  resource: pulumi.Resource;
  connection: command.types.input.remote.ConnectionArgs;
}

/**
 * What the platform asks of every tier that builds something: the files each VM gets from it, the
 * credentials it offers other tiers, the TLS endpoints it serves and the checks monitoring must run on it.
 */
export interface TierComponent {
  /** The files `vm` gets from this tier, in install order (none for a VM the tier has nothing for). */
  filesFor(vm: VmPlan): RenderedFile[];
  /** Accounts other tiers use, by name; every password a Pulumi secret. */
  readonly credentials: Readonly<Record<string, TierCredential>>;
  readonly tlsEndpoints: readonly TlsEndpoint[];
  readonly monitors: readonly ServiceMonitor[];
  /**
   * Called once every VM is declared, with each VM's component by name: for what a tier declares through its
   * own running service (the object store's buckets and users, made through MinIO's API once its VMs have their
   * files). Resources declared here depend on those VMs, so a first `pulumi up` creates them in order.
   */
  onVmsDeclared?(vms: Readonly<Record<string, DeclaredVm>>): void;
}

/**
 * Secrets the operator supplies (the stack's Pulumi config secrets), for the tiers that need them; each is
 * absent when the stack does not set it, and the tier that needs it says so when it is asked for.
 */
export interface OperatorSecrets {
  /** The BMC password of the storage tier's second fencing level (`ibac:fenceIpmiPassword`). */
  fenceIpmiPassword?: pulumi.Output<string>;
  /** The third site's S3 keys (`ibac:replicationAccessKey`, `ibac:replicationSecretKey`). */
  replicationAccessKey?: pulumi.Output<string>;
  replicationSecretKey?: pulumi.Output<string>;
}

/** What a tier component is built from. */
export interface TierComponentArgs {
  spec: PlatformSpec;
  model: PlatformModel;
  /** Issues the tier's certificates. */
  ca: InternalCa;
  /** The Proxmox cluster's CA (PEM), for a tier whose VMs call the Proxmox API (the storage tier's fence_pve). */
  proxmoxCaPem: pulumi.Input<string>;
  secrets: OperatorSecrets;
  /**
   * The components of the tiers built before this one (`TIER_NAMES` order: the database and the object store
   * come before the FRS and the API, which come before the load balancer), for the credentials, TLS endpoints
   * and monitors they offer. A tier reads what it uses through `offeredCredential`, never a later tier's.
   */
  offered: Readonly<Partial<Record<TierName, TierComponent>>>;
  /**
   * Root's SSH key on the Proxmox nodes and the QDevice host (a secret; their host keys are pinned from the
   * spec), for a tier that installs files there too: monitoring's agents.
   */
  nodeSshPrivateKey?: pulumi.Input<string>;
}

/**
 * The credential `name` that `tier` offers, for `user` (the tier asking, named in the error): the one way a
 * tier takes another's account. Throws when that tier builds nothing yet or offers no such account, which is a
 * toolkit bug (a tier reading a later tier, or a renamed account), not an operator's mistake.
 */
export function offeredCredential(offered: TierComponentArgs["offered"], tier: TierName, name: string, user: string): TierCredential {
  const credential = offered[tier]?.credentials[name];
  if (!credential) throw new Error(`${user}: the ${tier} tier offers no "${name}" credential (offered: ${Object.keys(offered[tier]?.credentials ?? {}).join(", ") || "none"})`);
  return credential;
}

/** Builds a tier's component; `name` is the platform's name and the tier's (`ibac-database`). */
export type TierComponentFactory = (name: string, args: TierComponentArgs, opts: pulumi.ComponentResourceOptions) => TierComponent;
