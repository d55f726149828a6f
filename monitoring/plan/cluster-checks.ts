import { deriveBackupClusterPlan } from "../../components/backup/cluster-plan";
import { PRODUCTION_HAPROXY_PATHS } from "../../components/loadbalancer/haproxy-paths";
import { planVrrpInstance } from "../../components/network/vrrp/vrrp-plan";
import type { TierName } from "../../components/spec/schema";
import { drbdCommand, haproxyCommand, pacemakerCommand, vrrpCommand } from "./agent-commands";
import { description } from "./description";
import { virtualAddressHost } from "./hosts";
import { hostNamed, networkCheck, nrpeCheck, type PlanContext, type PlannedCheck } from "./planned-check";

/** MinIO's liveness probe: 200 while the server runs (minio docs, "Healthcheck API"). */
export const MINIO_HEALTH_PATH = "/minio/health/live";

const vmsOf = (ctx: PlanContext, tier: TierName) => ctx.model.vms.filter((vm) => vm.tier === tier);

/** On every load-balancer VM: HAProxy's backends through its stats socket, and keepalived's VRRP state. */
export function loadBalancerChecks(ctx: PlanContext): PlannedCheck[] {
  return vmsOf(ctx, "loadBalancer").flatMap((vm) => {
    const host = hostNamed(ctx, vm.name);
    const instance = planVrrpInstance(ctx.model, ctx.spec, { virtualAddress: "loadBalancer", vmName: vm.name });
    return [
      nrpeCheck(ctx, host, "service", "HAProxy backends", haproxyCommand(ctx.paths, PRODUCTION_HAPROXY_PATHS.statsSocket)),
      nrpeCheck(ctx, host, "service", "VRRP loadBalancer", vrrpCommand(ctx.paths, instance.name, instance.address)),
    ];
  });
}

/** A DRBD pair under Pacemaker: the resource's connection and disks, and the cluster's state, on both VMs. */
function replicatedVolumeChecks(ctx: PlanContext, tier: TierName, resource: string): PlannedCheck[] {
  return vmsOf(ctx, tier).flatMap((vm) => {
    const host = hostNamed(ctx, vm.name);
    return [
      nrpeCheck(ctx, host, "service", description(`DRBD ${resource}`), drbdCommand(ctx.paths, resource)),
      nrpeCheck(ctx, host, "service", "Pacemaker", pacemakerCommand(ctx.paths)),
    ];
  });
}

/** The object store: its DRBD pair and Pacemaker, and MinIO's health through the S3 front on its address. */
export function objectStoreChecks(ctx: PlanContext): PlannedCheck[] {
  if (!vmsOf(ctx, "objectStore").length) return [];
  const service = ctx.model.objectStore.service;
  const vip = hostNamed(ctx, virtualAddressHost("objectStore"));
  return [
    ...replicatedVolumeChecks(ctx, "objectStore", ctx.model.objectStore.drbd.name),
    networkCheck(ctx, vip, "service", "MinIO health", { kind: "https", port: service.port, serverName: service.serverName, path: MINIO_HEALTH_PATH, expect: "200", expiry: ctx.expiry }, "MinIO answers its liveness probe through the S3 front"),
  ];
}

/** The backup tier's DRBD pair and Pacemaker. */
export function backupClusterChecks(ctx: PlanContext): PlannedCheck[] {
  if (!vmsOf(ctx, "backup").length) return [];
  return replicatedVolumeChecks(ctx, "backup", deriveBackupClusterPlan(ctx.spec, ctx.model).drbd.name);
}
