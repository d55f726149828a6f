import type { PlatformSpec } from "../spec/schema";
import type { PlatformModel, VmPlan } from "../model/types";
import { parseCidr, intToIpv4 } from "../model/addresses";
import { replicationSettings, type ReplicationSettings } from "./settings";
import { databaseAccounts, VIP_CHECK_USER, type DatabaseAccount } from "./users";
import { databaseService, type DatabaseService } from "./service-name";
import { tlsPolicy, type TlsPolicy } from "../pki/tls-policy";

export const MARIADB_PORT = 3306;

export interface DatabaseServer {
  name: string;
  fqdn: string;
  /** The address clients and replicas use: the VM's service network address. */
  address: string;
  /** Unique in the replication topology: the VM id, which is unique in the cluster. */
  serverId: number;
  role: "primary" | "replica";
  node: string;
  memoryGiB: number;
}

export interface DatabaseTopology {
  primary: DatabaseServer;
  replicas: DatabaseServer[];
  port: number;
  replication: ReplicationSettings;
  /** MariaDB host pattern of the service network (`10.20.0.0/255.255.255.0`). */
  serviceHostPattern: string;
  accounts: DatabaseAccount[];
  /** What clients connect to: db.<domain> at the databasePrimary virtual address, which follows the primary. */
  service: DatabaseService;
  /** keepalived's script user and the role check's MariaDB account (VIP_CHECK_USER; the lab uses its own). */
  vipCheckUser: string;
  backup: PlatformSpec["backupPolicy"]["database"];
  tls: TlsPolicy;
}

function serviceAddress(vm: VmPlan): string {
  const nic = vm.nics.find((n) => n.network === "service");
  if (!nic) throw new Error(`${vm.name} has no service network interface`);
  return nic.address;
}

/** MariaDB's netmask form of a subnet: the only host pattern it matches exactly on a subnet boundary. */
export function mariadbHostPattern(cidr: string): string {
  const subnet = parseCidr(cidr);
  const mask = subnet.prefix === 0 ? 0 : (0xffffffff << (32 - subnet.prefix)) >>> 0;
  return `${intToIpv4(subnet.network)}/${intToIpv4(mask)}`;
}

/** The database tier as the renderers and runbooks see it: who is primary, who replicates, who connects. */
export function planDatabase(model: PlatformModel, spec: PlatformSpec): DatabaseTopology {
  const servers: DatabaseServer[] = model.vms
    .filter((vm) => vm.tier === "database")
    .map((vm) => ({
      name: vm.name,
      fqdn: vm.fqdn,
      address: serviceAddress(vm),
      serverId: vm.vmId,
      role: vm.role === "primary" ? "primary" : "replica",
      node: vm.node,
      memoryGiB: vm.memoryGiB,
    }));
  const primary = servers.find((s) => s.role === "primary");
  if (!primary) throw new Error("the model has no database primary");
  const serviceHostPattern = mariadbHostPattern(spec.networks.service.cidr);
  return {
    primary,
    replicas: servers.filter((s) => s.role === "replica"),
    port: MARIADB_PORT,
    replication: replicationSettings(spec),
    serviceHostPattern,
    accounts: databaseAccounts(serviceHostPattern),
    service: databaseService(spec, model),
    vipCheckUser: VIP_CHECK_USER,
    backup: spec.backupPolicy.database,
    tls: tlsPolicy(spec),
  };
}
