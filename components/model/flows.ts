import { TIER_NAMES, type PlatformSpec, type TierName } from "../spec/schema";
import type { Flow, FlowEndpoint, FlowZone } from "./types";
import { extraFlows } from "./extra-flows";

const tier = (name: TierName, role?: "primary" | "replica"): FlowEndpoint =>
  role ? { kind: "tier", tier: name, role } : { kind: "tier", tier: name };
const zone = (name: FlowZone): FlowEndpoint => ({ kind: "zone", zone: name });
const slug = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The tiers that run a Bacula file daemon because they hold data the backup plan covers. */
export const BACKUP_CLIENT_TIERS: TierName[] = ["database", "objectStore", "frs"];

/** What each tier serves, for service-level monitoring: the port a check connects to. */
export const SERVICE_PORTS: Partial<Record<TierName, { port: string; what: string }>> = {
  database: { port: "3306", what: "MariaDB" },
  objectStore: { port: "9000", what: "MinIO S3 API" },
  frs: { port: "8443", what: "FRS API" },
  api: { port: "8443", what: "iBac API" },
  loadBalancer: { port: "443", what: "HTTPS front end" },
  backup: { port: "9101", what: "Bacula director" },
};

/**
 * Every intended network flow of the platform, derived from the design: who talks to whom, on which
 * protocol and port, and why. Firewall rules, monitors and compliance lines are all made from this list,
 * so each flow is written down exactly once.
 */
export function deriveFlows(spec: PlatformSpec): Flow[] {
  return [...designFlows(spec), ...extraFlows(spec)];
}

/** The design's own flows, without the spec's extras. */
export function designFlows(spec: PlatformSpec): Flow[] {
  const flows: Flow[] = [
    { id: "mobiles-to-vpn-ike", source: zone("mobiles"), destination: tier("vpn"), protocol: "udp", ports: "500", purpose: "IKEv2 from the mobiles to the VPN concentrator" },
    { id: "mobiles-to-vpn-natt", source: zone("mobiles"), destination: tier("vpn"), protocol: "udp", ports: "4500", purpose: "IPsec NAT traversal from the mobiles" },
    { id: "vpn-clients-to-lb-https", source: zone("vpnClients"), destination: tier("loadBalancer"), protocol: "tcp", ports: "443", purpose: "the iBac app's HTTPS API calls through the VPN" },
    { id: "lb-to-api-https", source: tier("loadBalancer"), destination: tier("api"), protocol: "tcp", ports: "8443", purpose: "load balancer to the API instances (TLS)" },
    { id: "lb-vrrp", source: tier("loadBalancer"), destination: tier("loadBalancer"), protocol: "vrrp", ports: "", purpose: "keepalived VRRP between the load balancers for the virtual IP" },
    { id: "api-to-database-mysql", source: tier("api"), destination: tier("database"), protocol: "tcp", ports: "3306", purpose: "API reads and writes (TLS)" },
    { id: "api-to-object-store-s3", source: tier("api"), destination: tier("objectStore"), protocol: "tcp", ports: "9000", purpose: "API stores photos and logs in MinIO (TLS)" },
    { id: "api-to-frs-https", source: tier("api"), destination: tier("frs"), protocol: "tcp", ports: "8443", purpose: "API submits photos to face recognition (TLS)" },
    { id: "frs-to-object-store-s3", source: tier("frs"), destination: tier("objectStore"), protocol: "tcp", ports: "9000", purpose: "FRS reads photos and archives its data after the local retention (TLS)" },
    { id: "frs-to-database-mysql", source: tier("frs"), destination: tier("database"), protocol: "tcp", ports: "3306", purpose: "FRS reads profiles and writes results (TLS)" },
    { id: "replica-to-primary-mysql", source: tier("database", "replica"), destination: tier("database", "primary"), protocol: "tcp", ports: "3306", purpose: "MariaDB GTID replication (TLS)" },
    { id: "object-store-drbd", source: tier("objectStore"), destination: tier("objectStore"), protocol: "tcp", ports: "7789", purpose: "DRBD replication of the MinIO volume (storage network)" },
    { id: "backup-drbd", source: tier("backup"), destination: tier("backup"), protocol: "tcp", ports: "7790", purpose: "DRBD replication of the backup volume (storage network)" },
    { id: "replica-to-backup-ssh", source: tier("database", "replica"), destination: tier("backup"), protocol: "tcp", ports: "22", purpose: "mariabackup and binary-log copies of the replica to the backup volume (SSH)" },
    { id: "backup-to-offsite-nas", source: tier("backup"), destination: zone("offsiteNas"), protocol: "tcp", ports: "22", purpose: `encrypted copy of every backup to the external NAS ${spec.backupPolicy.offsite.nasAddress} (SSH)` },
  ];

  for (const client of BACKUP_CLIENT_TIERS) {
    flows.push(
      { id: `backup-to-${slug(client)}-fd`, source: tier("backup"), destination: tier(client), protocol: "tcp", ports: "9102", purpose: `Bacula director to the ${client} file daemon` },
      { id: `${slug(client)}-to-backup-sd`, source: tier(client), destination: tier("backup"), protocol: "tcp", ports: "9103", purpose: `the ${client} file daemon sends backup data to the Bacula storage daemon` },
    );
  }

  for (const t of TIER_NAMES) {
    flows.push({ id: `monitoring-to-${slug(t)}-agent`, source: tier("monitoring"), destination: tier(t), protocol: "tcp", ports: "5666", purpose: `server-level checks of the ${t} VMs (NRPE)` });
    const service = SERVICE_PORTS[t];
    if (service) {
      flows.push({ id: `monitoring-to-${slug(t)}-service`, source: tier("monitoring"), destination: tier(t), protocol: "tcp", ports: service.port, purpose: `service-level check of the ${service.what}` });
    }
    flows.push({ id: `admin-to-${slug(t)}-ssh`, source: zone("admin"), destination: tier(t), protocol: "tcp", ports: "22", purpose: `administration of the ${t} VMs (SSH, keys only)` });
    flows.push({ id: `${slug(t)}-to-ntp`, source: tier(t), destination: zone("ntp"), protocol: "udp", ports: "123", purpose: `time synchronisation of the ${t} VMs` });
  }

  flows.push(
    { id: "monitoring-peers", source: tier("monitoring"), destination: tier("monitoring"), protocol: "tcp", ports: "7768:7773", purpose: "Shinken daemons between the monitoring VMs" },
    { id: "monitoring-to-nodes-agent", source: tier("monitoring"), destination: zone("proxmoxNodes"), protocol: "tcp", ports: "5666", purpose: "server-level checks of the Proxmox nodes (NRPE)" },
    { id: "monitoring-to-nodes-api", source: tier("monitoring"), destination: zone("proxmoxNodes"), protocol: "tcp", ports: "8006", purpose: "cluster, quorum and HA state checks through the Proxmox API" },
    { id: "monitoring-to-smtp-relay", source: tier("monitoring"), destination: zone("smtpRelay"), protocol: "tcp", ports: String(spec.notifications.smtpRelay.port), purpose: "alert notifications through the mail relay" },
    { id: "statistics-site-to-monitoring-https", source: zone("statisticsSite"), destination: tier("monitoring"), protocol: "tcp", ports: "443", purpose: "the monitoring and statistics site reads dashboards through the site tunnel" },
    { id: "statistics-site-to-vpn-ike", source: zone("statisticsSite"), destination: tier("vpn"), protocol: "udp", ports: "500", purpose: "IKEv2 of the site-to-site tunnel" },
    { id: "statistics-site-to-vpn-natt", source: zone("statisticsSite"), destination: tier("vpn"), protocol: "udp", ports: "4500", purpose: "IPsec NAT traversal of the site-to-site tunnel" },
    { id: "admin-to-nodes-ssh", source: zone("admin"), destination: zone("proxmoxNodes"), protocol: "tcp", ports: "22", purpose: "administration of the Proxmox nodes (SSH, keys only)" },
    { id: "admin-to-nodes-gui", source: zone("admin"), destination: zone("proxmoxNodes"), protocol: "tcp", ports: "8006", purpose: "Proxmox web GUI and API, from the admin network only" },
    { id: "nodes-corosync", source: zone("proxmoxNodes"), destination: zone("proxmoxNodes"), protocol: "udp", ports: "5404:5405", purpose: "corosync cluster communication (cluster network)" },
    { id: "nodes-to-qdevice", source: zone("proxmoxNodes"), destination: zone("qdevice"), protocol: "tcp", ports: "5403", purpose: "corosync-qdevice to the QNetd vote on the third host" },
    { id: "nodes-to-qdevice-ssh", source: zone("proxmoxNodes"), destination: zone("qdevice"), protocol: "tcp", ports: "22", purpose: "pvecm qdevice setup copies the QNetd certificates over SSH" },
    { id: "admin-to-qdevice-ssh", source: zone("admin"), destination: zone("qdevice"), protocol: "tcp", ports: "22", purpose: "administration of the QDevice host and its firewall (SSH, keys only)" },
    { id: "nodes-migration", source: zone("proxmoxNodes"), destination: zone("proxmoxNodes"), protocol: "tcp", ports: "60000:60050", purpose: "live migration between nodes" },
    { id: "nodes-ssh", source: zone("proxmoxNodes"), destination: zone("proxmoxNodes"), protocol: "tcp", ports: "22", purpose: "storage replication and cluster file sync between nodes (SSH)" },
    { id: "nodes-to-ntp", source: zone("proxmoxNodes"), destination: zone("ntp"), protocol: "udp", ports: "123", purpose: "time synchronisation of the Proxmox nodes (corosync needs it)" },
  );
  return flows;
}
