import type { PlatformModel } from "../model/types";
import type { MonitoringPlan } from "../../monitoring/plan/types";
import type { ServerCertificateArgs } from "../pki/internal-ca";

// The certificates monitoring asks the internal CA for, before Pulumi: one per NRPE agent (the name check_nrpe
// verifies, the address it dials as an IP SAN) and one client certificate per monitoring VM (NRPE's
// ssl_client_certs=2 refuses any client without one from the internal CA).

export interface MonitoringCertificateRequest extends ServerCertificateArgs {
  /** Resource-name suffix, unique in the tier: `nrpe-<host>` or `client-<vm>`. */
  id: string;
  /** The agent's host, or the monitoring VM. */
  host: string;
  role: "agent" | "client";
}

export function monitoringCertificateRequests(plan: MonitoringPlan, model: Pick<PlatformModel, "vms">): MonitoringCertificateRequest[] {
  const agents = plan.agents.map((a): MonitoringCertificateRequest => ({ id: `nrpe-${a.host}`, host: a.host, role: "agent", commonName: a.tlsName, dnsNames: [a.tlsName], ipAddresses: [a.address] }));
  const clients = plan.servers.map((s): MonitoringCertificateRequest => {
    const vm = model.vms.find((v) => v.name === s.vm);
    if (!vm) throw new Error(`monitoring certificates: the plan's monitoring server ${s.vm} is no VM of the model`);
    return { id: `client-${s.vm}`, host: s.vm, role: "client", commonName: vm.fqdn, dnsNames: [vm.fqdn], ipAddresses: [s.address], clientAuth: true };
  });
  const seen = new Set<string>();
  for (const r of [...agents, ...clients]) {
    if (seen.has(r.id)) throw new Error(`monitoring certificates: two certificates for ${r.id}`);
    seen.add(r.id);
  }
  return [...agents, ...clients];
}
