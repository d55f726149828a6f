import type { PlatformSpec, TierName } from "../../spec/schema";
import type { PlatformModel, VmPlan } from "../../model/types";
import { virtualAddressPlan } from "../../tiers/address-plan";
import { SERVICE_INTERFACE } from "../../vm/guest-interfaces";

/** The virtual addresses keepalived holds (the object store's moves with Pacemaker, not VRRP). */
export const VRRP_ADDRESSES = ["loadBalancer", "databasePrimary"] as const;
export type VrrpAddressName = (typeof VRRP_ADDRESSES)[number];

/** What decides whether this VM may hold the address: a script's exit status, or a running process. */
export type VrrpTrack =
  | {
      kind: "script";
      /** keepalived's name of the check (`[A-Za-z0-9_]`). */
      name: string;
      /** Absolute path of the executable; run as the script user, without arguments. */
      path: string;
      /** keepalived runs scripts every whole second at best: a multiple of 1000. */
      intervalMs: number;
      /** Whole seconds too; a run that takes longer counts as failed. */
      timeoutMs: number;
      /** Failed runs in a row that put the instance in FAULT (it gives the address up). */
      fall: number;
      /** Passed runs in a row that take it out of FAULT. */
      rise: number;
    }
  | {
      kind: "process";
      name: string;
      /** The process name (its `comm`, up to 15 characters). */
      process: string;
      /** How long the process may be missing before the instance goes to FAULT (a restart is not a failover). */
      delayMs: number;
    };

/** One VRRP instance on one VM: everything keepalived.conf says about it. */
export interface VrrpInstance {
  /** keepalived's instance name, the same on every peer: `ibac_<address name>`. */
  name: string;
  /** Which virtual address it holds. */
  address: VrrpAddressName;
  virtualRouterId: number;
  /** The guest's service NIC: the VIP is added there and the adverts leave from it. */
  interface: string;
  /** The virtual address with the service network's prefix, `10.20.2.10/24`. */
  virtualIpCidr: string;
  /** This VM's service address: the adverts' source. */
  unicastSourceIp: string;
  /** The service addresses of every other VM of the tier holding the address. */
  unicastPeers: string[];
  /** Distinct per VM (VM order), so the first election has one winner; with nopreempt it never moves back. */
  priority: number;
  advertIntervalMs: number;
  track?: VrrpTrack;
}

/** The highest priority, the first VM's; each next VM one lower (a BACKUP's priority is 1-254). */
export const TOP_PRIORITY = 200;

function serviceNic(vm: VmPlan): { address: string; prefix: number } {
  const nic = vm.nics.find((n) => n.network === "service");
  if (!nic) throw new Error(`${vm.name}: no NIC on the service network, which every VM has first`);
  return nic;
}

/**
 * The VRRP instance `vmName` runs for `virtualAddress`. The virtual_router_id is the address's host number
 * on the service network (address-plan.ts): virtual addresses are distinct hosts of one subnet, so no two
 * instances on the service network share an id, by construction (and a VRID is 1-255, a reserved host <= 15).
 * Throws for a VM that does not hold the address or a tier with a single VM (no peer to move to: the spec
 * checks require loadBalancer.count >= 2, the database has a primary and a replica).
 */
export function planVrrpInstance(
  model: Pick<PlatformModel, "vms" | "virtualIps">,
  spec: Pick<PlatformSpec, "loadBalancer">,
  options: { virtualAddress: VrrpAddressName; vmName: string; track?: VrrpTrack },
): VrrpInstance {
  const { virtualAddress, vmName, track } = options;
  const entry = virtualAddressPlan().find((v) => v.name === virtualAddress);
  if (!entry) throw new Error(`no virtual address "${virtualAddress}" in the address plan`);
  const tier: TierName = entry.tier;
  const holders = model.vms.filter((v) => v.tier === tier).sort((a, b) => a.index - b.index);
  const vm = holders.find((v) => v.name === vmName);
  if (!vm) throw new Error(`${vmName} does not hold the ${virtualAddress} address: the ${tier} tier's VMs do (${holders.map((v) => v.name).join(", ") || "none"})`);
  if (holders.length < 2) throw new Error(`the ${virtualAddress} address needs 2 or more ${tier} VMs to move between, found ${holders.length} (${vm.name}): a single VRRP peer has nowhere to fail over to`);
  const vip = model.virtualIps[virtualAddress];
  if (!vip) throw new Error(`the model has no ${virtualAddress} virtual address`);
  if (entry.host < 1 || entry.host > 255) throw new Error(`${virtualAddress}: host ${entry.host} is not a VRRP router id (1-255)`);
  if (track) checkTrack(track);
  const own = serviceNic(vm);
  const priority = TOP_PRIORITY - holders.indexOf(vm);
  return {
    name: `ibac_${virtualAddress}`,
    address: virtualAddress,
    virtualRouterId: entry.host,
    interface: SERVICE_INTERFACE,
    virtualIpCidr: `${vip}/${own.prefix}`,
    unicastSourceIp: own.address,
    unicastPeers: holders.filter((v) => v !== vm).map((v) => serviceNic(v).address),
    priority,
    advertIntervalMs: spec.loadBalancer.vrrp.advertIntervalMs,
    ...(track ? { track } : {}),
  };
}

const TRACK_NAME = /^[A-Za-z0-9_]{1,32}$/;
const ABSOLUTE_PATH = /^(\/[A-Za-z0-9._+-]+)+$/;

/** A track the renderer can write without quoting surprises, in keepalived's units. */
function checkTrack(track: VrrpTrack): void {
  if (!TRACK_NAME.test(track.name)) throw new Error(`track name: expected letters, digits and _, found "${track.name}"`);
  switch (track.kind) {
    case "script":
      if (!ABSOLUTE_PATH.test(track.path)) throw new Error(`track script ${track.name}: expected an absolute path of letters, digits and ._+-, found "${track.path}"`);
      for (const [field, ms] of [["intervalMs", track.intervalMs], ["timeoutMs", track.timeoutMs]] as const) {
        if (!Number.isInteger(ms) || ms < 1000 || ms % 1000 !== 0) throw new Error(`track script ${track.name}: ${field} must be whole seconds of 1000 ms or more (keepalived 2.2 rejects fractions), found ${ms}`);
      }
      for (const [field, n] of [["fall", track.fall], ["rise", track.rise]] as const) {
        if (!Number.isInteger(n) || n < 1 || n > 100) throw new Error(`track script ${track.name}: ${field} must be 1-100, found ${n}`);
      }
      return;
    case "process":
      if (!/^[A-Za-z0-9._-]{1,15}$/.test(track.process)) throw new Error(`track process ${track.name}: expected a process name of up to 15 letters, digits and ._-, found "${track.process}"`);
      if (!Number.isInteger(track.delayMs) || track.delayMs < 0 || track.delayMs % 10 !== 0) throw new Error(`track process ${track.name}: delayMs must be a whole number of centiseconds, found ${track.delayMs}`);
      return;
    default: {
      const never: never = track;
      throw new Error(`unknown track ${JSON.stringify(never)}`);
    }
  }
}
