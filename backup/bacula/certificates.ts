// What each Bacula certificate must name. Bacula 9.6 checks a server's certificate, on the side that dials, by
// comparing the Address it dialed with the certificate's DNS names and its CN only: an IP address SAN is not
// looked at (verified: "TLS host certificate verification failed. Host name "127.0.0.1" did not match
// presented certificate" with an IP SAN alone; bacula-tls-names.test.ts). Only the director's Client resource
// takes `TLS Allowed CN` instead (rendered: the director checks file daemons by name); the storage daemon (dialed
// by the director and the file daemons) and the director (dialed by bconsole) are checked by address. So every
// certificate carries its address as a DNS name too, beside the IP SAN for other clients.
import type { BaculaName, BaculaPlan } from "./bacula-plan";
import type { BaculaTlsRole } from "./paths";

export interface BaculaCertificateRequest {
  /** The daemon's role (its files in the paths table) and, for a file daemon, its client. */
  role: BaculaTlsRole;
  client?: BaculaName;
  /** The VMs that hold it (one certificate for a service that moves). */
  vms: readonly string[];
  /** The name the peers' `TLS Allowed CN` lists. */
  commonName: string;
  dnsNames: string[];
  ipAddresses: string[];
  /** Every Bacula daemon is also a TLS client (the director dials the file daemons, they dial the storage daemon). */
  clientAuth: true;
}

function request(role: BaculaTlsRole, vms: readonly string[], tlsName: string, address: string | undefined, client?: BaculaName): BaculaCertificateRequest {
  const addresses = address ? [address] : [];
  return { role, ...(client ? { client } : {}), vms, commonName: tlsName, dnsNames: [tlsName, ...addresses], ipAddresses: addresses, clientAuth: true };
}

/** Every certificate the Bacula daemons and the console need, as the internal CA should issue them. */
export function baculaCertificateRequests(plan: BaculaPlan): BaculaCertificateRequest[] {
  return [
    request("director", plan.director.vms, plan.director.tlsName, plan.director.address),
    request("storage", plan.director.vms, plan.storageDaemon.tlsName, plan.storageDaemon.address),
    // bconsole only dials: nothing checks its address.
    request("console", plan.director.vms, plan.console.tlsName, undefined),
    ...plan.clients.map((c) => request("fileDaemon", c.vms, c.tlsName, c.address, c.name)),
  ];
}
