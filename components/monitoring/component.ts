import * as pulumi from "@pulumi/pulumi";
import { TIER_NAMES } from "../spec/schema";
import type { VmPlan } from "../model/types";
import type { RenderedFile } from "../vm/rendered-file";
import type { IssuedCertificate } from "../pki/internal-ca";
import { offeredCredential, type TierComponent, type TierComponentArgs, type TierCredential, type TlsEndpoint } from "../tiers/tier-component";
import type { ServiceMonitor } from "../tiers/monitors";
import type { MonitoringPlan } from "../../monitoring/plan/types";
import { PRODUCTION_MONITORING_PATHS } from "../../monitoring/paths";
import { deriveMonitoringPlan, MONITOR_DB_USER } from "./renderers";
import { monitoringCertificateRequests } from "./certificates";
import { monitoringFilesForHost, type MonitoringFileInputs } from "./monitoring-files";
import { planMonitors } from "./plan-monitors";
import { agentHostsOutsideVms, deliverToAgentHost } from "./host-delivery";

/**
 * The monitoring tier: the engine (nagios4, or Shinken's files for a site that runs it) on the monitoring VMs,
 * and an NRPE agent on every monitored host: each VM, each Proxmox node and the QDevice host.
 *
 * At construction: the plan (deriveMonitoringPlan, from the model and the TLS endpoints of every tier built
 * before this one: all but the VPN, which serves none), the database's `monitoring` account (its password only
 * ever inside the secret check_mysql options file), an NRPE server certificate per agent and a client
 * certificate per monitoring VM from the internal CA. The VMs' files go out with the VMs (`filesFor`); the
 * nodes' and the QDevice host's agents are delivered here, as root over SSH with their host keys pinned from
 * the spec (host-delivery.ts).
 */
export class MonitoringTier extends pulumi.ComponentResource implements TierComponent {
  readonly plan: MonitoringPlan;
  readonly credentials: Readonly<Record<string, TierCredential>> = {};
  /** The engine serves no TLS endpoint (no web UI: Debian's nagios4-core, without the CGIs). */
  readonly tlsEndpoints: readonly TlsEndpoint[] = [];
  readonly monitors: readonly ServiceMonitor[];
  /** The files of each host the plan runs an engine or an agent on (VMs, nodes, the QDevice host), by host: what the tests read. */
  readonly hostFiles: ReadonlyMap<string, RenderedFile[]>;

  constructor(name: string, args: TierComponentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ibac:monitoring:MonitoringTier", name, {}, opts);
    const tlsEndpoints = TIER_NAMES.flatMap((t) => args.offered[t]?.tlsEndpoints ?? []);
    const plan = deriveMonitoringPlan(args.spec, args.model, tlsEndpoints);
    this.plan = plan;
    const database = offeredCredential(args.offered, "database", "monitoring", "the monitoring tier's MariaDB checks");
    // The check_mysql options file names its user itself: it must be the account the database made.
    if (database.user !== MONITOR_DB_USER) throw new Error(`monitoring tier: the database's monitoring account is ${database.user}, the check_mysql options file logs in as ${MONITOR_DB_USER}`);

    const agentCertificates: Record<string, IssuedCertificate> = {};
    const clientCertificates: Record<string, IssuedCertificate> = {};
    for (const r of monitoringCertificateRequests(plan, args.model)) {
      const cert = args.ca.issueServerCertificate(`${name}-${r.id}-tls`, { commonName: r.commonName, dnsNames: r.dnsNames, ipAddresses: r.ipAddresses, ...(r.clientAuth ? { clientAuth: true } : {}) }, this);
      (r.role === "agent" ? agentCertificates : clientCertificates)[r.host] = cert;
    }
    const input: MonitoringFileInputs = {
      plan,
      paths: PRODUCTION_MONITORING_PATHS,
      mysqlPassword: pulumi.secret(database.password),
      caPem: args.ca.certPem,
      agentCertificates,
      clientCertificates,
    };
    const hosts = [...new Set([...plan.servers.map((s) => s.vm), ...plan.agents.map((a) => a.host)])];
    this.hostFiles = new Map(hosts.map((h) => [h, monitoringFilesForHost(input, h)]));

    const outside = agentHostsOutsideVms(plan, args.model);
    if (outside.length && args.nodeSshPrivateKey === undefined) throw new Error(`monitoring tier: agents on ${outside.map((h) => h.host).join(", ")} need root's SSH key on the nodes and the QDevice host (TierComponentArgs.nodeSshPrivateKey)`);
    for (const target of outside) deliverToAgentHost(`${name}-${target.host}-agent`, args.spec, target, this.hostFiles.get(target.host) ?? [], args.nodeSshPrivateKey as pulumi.Input<string>, this);

    this.monitors = planMonitors(plan);
    this.registerOutputs({});
  }

  /** The files a VM gets from this tier, in install order: the engine's on a monitoring VM, the agent's on every monitored VM. */
  filesFor(vm: VmPlan): RenderedFile[] {
    return this.hostFiles.get(vm.name) ?? [];
  }
}
