import { replicationSettings } from "../../components/database/settings";
import { planVrrpInstance } from "../../components/network/vrrp/vrrp-plan";
import { tierDefinition } from "../../components/tiers/registry";
import { vrrpCommand } from "./agent-commands";
import { virtualAddressHost } from "./hosts";
import { hostNamed, networkCheck, nrpeCheck, type PlanContext, type PlannedCheck } from "./planned-check";

/**
 * MariaDB from the monitoring VM with the monitoring account over TLS: a connection to every server; on the
 * replicas the replication threads and lag (critical at the lag runbooks refuse to promote beyond, warning at
 * half of it) and read_only on; on the databasePrimary address read_only off, wherever it is. And keepalived's
 * VRRP state of that address on every database VM.
 */
export function databaseChecks(ctx: PlanContext): PlannedCheck[] {
  const vms = ctx.model.vms.filter((vm) => vm.tier === "database");
  if (!vms.length) return [];
  const port = Number(tierDefinition("database").servicePort?.(ctx.spec).port);
  const critical = replicationSettings(ctx.spec).maxLagSeconds;
  const warn = Math.floor(critical / 2);
  const perVm = vms.flatMap((vm) => {
    const host = hostNamed(ctx, vm.name);
    const instance = planVrrpInstance(ctx.model, ctx.spec, { virtualAddress: "databasePrimary", vmName: vm.name });
    return [
      networkCheck(ctx, host, "service", "MariaDB connection", { kind: "mysql", port, check: "connection" }, "MariaDB accepts the monitoring account over TLS"),
      ...(vm.role === "replica"
        ? [
          networkCheck(ctx, host, "service", "MariaDB replication", { kind: "mysql", port, check: "replication", warnLagSeconds: warn, criticalLagSeconds: critical }, `replication running, lag under ${critical} s`),
          networkCheck(ctx, host, "service", "MariaDB read-only", { kind: "mysql", port, check: "read-only", expected: true }, "a replica is read-only"),
        ]
        : []),
      nrpeCheck(ctx, host, "service", "VRRP databasePrimary", vrrpCommand(ctx.paths, instance.name, instance.address)),
    ];
  });
  const primary = hostNamed(ctx, virtualAddressHost("databasePrimary"));
  return [...perVm, networkCheck(ctx, primary, "service", "MariaDB read-only", { kind: "mysql", port, check: "read-only", expected: false }, "the server at the databasePrimary address takes writes")];
}
