import { planApplicationService } from "../../components/app-service/service-plan";
import { SITE_CONNECTION, siteTunnelRole } from "../../components/network/vpn/render-swanctl";
import { engineCommand, ipsecCommand } from "./agent-commands";
import { hostNamed, networkCheck, nrpeCheck, type PlanContext, type PlannedCheck } from "./planned-check";

/** The API's and FRS's HTTPS health path on every instance, the certificate verified against its fqdn. */
export function applicationChecks(ctx: PlanContext): PlannedCheck[] {
  return (["frs", "api"] as const).flatMap((tier) => {
    if (!ctx.model.vms.some((vm) => vm.tier === tier)) return [];
    const plan = planApplicationService(ctx.model, ctx.spec, tier);
    return plan.instances.map((i) =>
      networkCheck(ctx, hostNamed(ctx, i.vm), "service", "HTTPS health", { kind: "https", port: plan.port, serverName: i.fqdn, path: plan.healthPath, expect: "200", expiry: ctx.expiry }, `${plan.label} answers its health path`));
  });
}

/**
 * The site tunnel on the VPN VM that carries it. The standby gateway holds the connection loaded but does not
 * initiate it (render-swanctl.ts), so a check there would be critical by design; the mobiles' connection is
 * responder-only and has no SA while no mobile is connected.
 */
export function vpnChecks(ctx: PlanContext): PlannedCheck[] {
  const vpnVms = ctx.model.vms.filter((vm) => vm.tier === "vpn");
  return vpnVms
    .filter((vm) => siteTunnelRole(vm, vpnVms) === "active")
    .map((vm) => nrpeCheck(ctx, hostNamed(ctx, vm.name), "service", `IPsec ${SITE_CONNECTION}`, ipsecCommand(ctx.paths, SITE_CONNECTION)));
}

/** The engine on every monitoring VM, so that each one watches the other (the standby takes over on it). */
export function engineChecks(ctx: PlanContext): PlannedCheck[] {
  return ctx.model.vms
    .filter((vm) => vm.tier === "monitoring")
    .map((vm) => nrpeCheck(ctx, hostNamed(ctx, vm.name), "service", "monitoring engine", engineCommand(ctx.paths)));
}
