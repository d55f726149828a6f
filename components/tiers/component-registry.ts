import type { TierName } from "../spec/schema";
import type { TierComponentFactory } from "./tier-component";
import { DatabaseTier } from "../database/component";
import { VpnTier } from "../network/vpn/component";
import { StorageTier } from "../storage/component";
import { LoadBalancerTier } from "../loadbalancer/component";
import { ApiTier } from "../api/component";
import { FrsTier } from "../frs/component";
import { BackupTier } from "../backup/component";
import { MonitoringTier } from "../monitoring/component";

/** A tier whose VMs boot with the base image and nothing of their own yet (its issue builds it). */
export const BOOTS_EMPTY = "boots-empty";

/**
 * How each tier is built: its component's constructor, or `BOOTS_EMPTY`. Kept apart from `TIERS` because
 * this side imports Pulumi and the tiers' renderers, which the pure model and the policies must not load.
 * A tier name without an entry here does not compile either.
 */
export const TIER_COMPONENTS: { readonly [K in TierName]: TierComponentFactory | typeof BOOTS_EMPTY } = {
  database: (name, args, opts) => new DatabaseTier(name, args, opts),
  objectStore: (name, args, opts) => new StorageTier(name, args, opts),
  frs: (name, args, opts) => new FrsTier(name, args, opts),
  api: (name, args, opts) => new ApiTier(name, args, opts),
  loadBalancer: (name, args, opts) => new LoadBalancerTier(name, args, opts),
  backup: (name, args, opts) => new BackupTier(name, args, opts),
  monitoring: (name, args, opts) => new MonitoringTier(name, args, opts),
  vpn: (name, args, opts) => new VpnTier(name, args, opts),
};
