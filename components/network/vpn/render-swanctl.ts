import type { PlatformSpec } from "../../spec/schema";
import type { VmPlan } from "../../model/types";
import { tlsPolicy } from "../../pki/tls-policy";

/** The connection (and its CHILD_SA) that mobiles use: `swanctl --list-conns` shows it under this name. */
export const MOBILE_CONNECTION = "ibac-mobiles";
/** The site-to-site tunnel to the monitoring and statistics site (connection and CHILD_SA name). */
export const SITE_CONNECTION = "ibac-stats-site";
/** The pool of virtual IPs handed to mobiles. */
export const MOBILE_POOL = "ibac-mobile-pool";

/**
 * Where the gateway's certificates are: absolute paths, or names relative to the swanctl directory's `x509/`
 * (own certificate) and `x509ca/` (CA). The private key is not named at all: swanctl loads every unencrypted
 * key in `<swanctl dir>/private/` (a `secrets` section only holds passphrases), so the rendered text never
 * contains or points at a secret. The CAs' CRLs are not named either: swanctl loads every CRL in
 * `<swanctl dir>/x509crl/`, and each peer is checked against them strictly. See `swanctlLayout`.
 */
export interface SwanctlCredentialFiles {
  /** This gateway's certificate (PEM, issued by the toolkit's CA, SAN DNS = the VM's FQDN): absolute path. */
  certFile: string;
  /** The toolkit's root CA certificate (PEM): absolute path; the trust anchor of every peer's chain. */
  caCertFile: string;
  /**
   * The issuing CA of each kind of peer (PEM, below the root): absolute paths. A connection accepts only a
   * certificate its peer's CA issued (`cacerts`): a mobile's from the mobiles CA, the site's from the site CA,
   * so no other certificate of the root (a database server's) authenticates as either.
   */
  peerCaCertFiles: { mobiles: string; site: string };
}

/** Where each production gateway keeps the root CA and the peers' issuing CAs (policies/vpn reads the same paths). */
export const VPN_CA_FILES = {
  root: "/etc/swanctl/x509ca/ibac-ca.pem",
  mobiles: "/etc/swanctl/x509ca/ibac-mobiles-ca.pem",
  site: "/etc/swanctl/x509ca/ibac-site-ca.pem",
} as const;

/** Timers shared by both connections; the defaults suit production, the lab may shorten them. */
export interface SwanctlTimers {
  /** Dead-peer detection: an INFORMATIONAL exchange after this many idle seconds (default 30). */
  dpdDelaySeconds?: number;
  /** IKE_SA rekey (with a fresh ECDH) after this many seconds (default 4 h). */
  ikeRekeySeconds?: number;
  /** CHILD_SA rekey (with a fresh ECDH: PFS) after this many seconds (default 1 h); hard life is 110% of it. */
  childRekeySeconds?: number;
}

export interface ConcentratorSwanctlArgs {
  spec: PlatformSpec;
  /** The VPN VM the file is for (tier "vpn"): its FQDN is the gateway's IKE identity. */
  vm: VmPlan;
  files: SwanctlCredentialFiles;
  /** Addresses charon answers IKE on (default `%any`: every address of the VM). */
  localAddrs?: string[];
  /** The identity mobiles must present, matched in addition to the CA (default `%any`: any identity the mobiles CA certified). */
  remoteId?: string;
  timers?: SwanctlTimers;
}

export interface SiteTunnelSwanctlArgs {
  spec: PlatformSpec;
  /** The VPN VM the file is for (tier "vpn"): its FQDN is the local IKE identity. */
  vm: VmPlan;
  files: SwanctlCredentialFiles;
  /** The local address the tunnel starts from (default `%any`). */
  localAddrs?: string[];
  /**
   * `active` (default) starts the tunnel and keeps it up; `standby` loads the same connection but never
   * starts it, so the site sees one tunnel, not two (see `siteTunnelRole`).
   */
  role?: SiteTunnelRole;
  timers?: SwanctlTimers;
}

/** Which VPN gateway carries the site tunnel: exactly one is active, the others stand by. */
export type SiteTunnelRole = "active" | "standby";

/**
 * The site tunnel is active on the first VPN VM and on standby on the others: two gateways initiating with
 * the same identity would replace each other's SAs at the site every few seconds. When the active VM is lost,
 * Proxmox HA restarts it on the surviving node; for a longer outage the operator initiates the standby's
 * loaded connection (`swanctl --initiate --child ibac-stats-site`), which the site accepts from either address.
 */
export function siteTunnelRole(vm: VmPlan, vpnVms: readonly VmPlan[]): SiteTunnelRole {
  const first = [...vpnVms].filter((v) => v.tier === "vpn").sort((a, b) => a.index - b.index)[0];
  return first?.name === vm.name ? "active" : "standby";
}

interface ResolvedTimers {
  dpd: number;
  ikeRekey: number;
  childRekey: number;
  childLife: number;
}

function resolveTimers(t: SwanctlTimers = {}): ResolvedTimers {
  const dpd = t.dpdDelaySeconds ?? 30;
  const ikeRekey = t.ikeRekeySeconds ?? 4 * 3600;
  const childRekey = t.childRekeySeconds ?? 3600;
  for (const [name, v] of Object.entries({ dpd, ikeRekey, childRekey })) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`swanctl timers: ${name} must be a positive whole number of seconds, found ${v}`);
  }
  return { dpd, ikeRekey, childRekey, childLife: Math.ceil(childRekey * 1.1) };
}

/** The files swanctl reads below its directory (the directory of the swanctl.conf passed with `--file`). */
export interface SwanctlLayout {
  conf: string;
  /** Own certificates. */
  x509: string;
  /** CA certificates. */
  x509ca: string;
  /** CRLs (PEM or DER): every one is loaded, and checked when a connection's revocation policy asks. */
  x509crl: string;
  /** Unencrypted private keys (mode 0600, directory 0700): every key here is loaded. */
  private: string;
}

/** The layout of a swanctl directory (production: `/etc/swanctl`). */
export function swanctlLayout(dir: string): SwanctlLayout {
  const d = dir.replace(/\/+$/, "");
  return { conf: `${d}/swanctl.conf`, x509: `${d}/x509`, x509ca: `${d}/x509ca`, x509crl: `${d}/x509crl`, private: `${d}/private` };
}

const SAFE_VALUE = /^[A-Za-z0-9%@*._:/=+-]+$/;

/** A swanctl value that cannot break the file's syntax (no spaces, braces, quotes or newlines). */
function value(field: string, v: string): string {
  if (!SAFE_VALUE.test(v)) throw new Error(`swanctl: ${field} ${JSON.stringify(v)} contains characters swanctl.conf cannot hold unquoted`);
  return v;
}

function list(field: string, values: readonly string[]): string {
  if (values.length === 0) throw new Error(`swanctl: ${field} must not be empty`);
  return values.map((v) => value(field, v)).join(",");
}

function requireVpnVm(vm: VmPlan): void {
  if (vm.tier !== "vpn") throw new Error(`swanctl: ${vm.name} is a ${vm.tier} VM, not a VPN gateway`);
}

/** The proposals of the TLS policy, exactly: no `default` is appended, so nothing weaker can be negotiated. */
function proposals(spec: PlatformSpec): { ike: string; esp: string } {
  const { ike, esp } = tlsPolicy(spec).ipsec;
  const espParts = esp.split("-");
  // Every CHILD_SA rekey must run a fresh key exchange (PFS): the ESP proposal has to name a DH group.
  if (!espParts.some((p) => /^(ecp|modp|curve|x25519|x448)/.test(p))) throw new Error(`swanctl: the ESP proposal "${esp}" has no DH group: rekeys would have no PFS`);
  return { ike: value("ike proposals", ike), esp: value("esp proposals", esp) };
}

function header(vm: VmPlan, what: string): string {
  return `# Rendered by the iBac toolkit for ${vm.name} (${vm.fqdn}): ${what}.
# Do not edit: the next deployment overwrites it. Proposals come from the TLS policy (components/pki/tls-policy.ts).
`;
}

function credentialSections(files: SwanctlCredentialFiles): string {
  return `
authorities {
  ibac-ca {
    cacert = ${value("caCertFile", files.caCertFile)}
  }
  ibac-mobiles-ca {
    cacert = ${value("peerCaCertFiles.mobiles", files.peerCaCertFiles.mobiles)}
  }
  ibac-site-ca {
    cacert = ${value("peerCaCertFiles.site", files.peerCaCertFiles.site)}
  }
}
# The gateway's private key is not in this file: swanctl loads it from the private/ directory next to it,
# and the CAs' CRLs from the x509crl/ directory.
`;
}

/** IKE settings both connections share: certificates exchanged, one SA per peer, DPD, rekey without reauth. */
function ikeCommon(t: ReturnType<typeof resolveTimers>): string {
  return `    send_certreq = yes
    send_cert = always
    unique = replace
    fragmentation = yes
    dpd_delay = ${t.dpd}s
    rekey_time = ${t.ikeRekey}s
    reauth_time = 0`;
}

/**
 * Both sides authenticate with certificates of the toolkit's PKI. The peer's certificate must chain to the
 * issuing CA of its purpose (`cacerts`: strongSwan refuses a chain that does not contain it), `remoteId`
 * narrows who may connect, and `revocation = strict` refuses a certificate (or its issuing CA) that is revoked
 * or whose CRL is missing or stale.
 */
function authentication(vm: VmPlan, files: SwanctlCredentialFiles, purpose: keyof SwanctlCredentialFiles["peerCaCertFiles"], remoteIdField: string, remoteId: string): string {
  return `    local {
      auth = pubkey
      certs = ${value("certFile", files.certFile)}
      id = ${value("vm.fqdn", vm.fqdn)}
    }
    remote {
      auth = pubkey
      # Only the ${purpose} CA's certificates: any other certificate of the root is refused.
      cacerts = ${value(`peerCaCertFiles.${purpose}`, files.peerCaCertFiles[purpose])}
      id = ${value(remoteIdField, remoteId)}
      revocation = strict
    }`;
}

/**
 * swanctl.conf of the mobile VPN concentrator: IKEv2 only, certificate authentication both ways against the
 * toolkit's CA, a virtual IP for each mobile from `networks.vpnClients`, the service network behind the gateway,
 * the TLS policy's proposals with no fallback, and PFS (an ECDH on every CHILD_SA rekey).
 */
export function renderConcentratorSwanctl(args: ConcentratorSwanctlArgs): string {
  requireVpnVm(args.vm);
  const { spec, vm, files } = args;
  const p = proposals(spec);
  const t = resolveTimers(args.timers);
  return `${header(vm, "the mobile VPN concentrator")}
connections {
  ${MOBILE_CONNECTION} {
    version = 2
    local_addrs = ${list("localAddrs", args.localAddrs ?? ["%any"])}
    proposals = ${p.ike}
    pools = ${MOBILE_POOL}
    mobike = yes
${ikeCommon(t)}
${authentication(vm, files, "mobiles", "remoteId", args.remoteId ?? "%any")}
    children {
      ${MOBILE_CONNECTION} {
        # What the mobiles may reach: the service network.
        local_ts = ${value("networks.service.cidr", spec.networks.service.cidr)}
        esp_proposals = ${p.esp}
        rekey_time = ${t.childRekey}s
        life_time = ${t.childLife}s
        dpd_action = clear
        close_action = none
        start_action = none
      }
    }
  }
}

pools {
  ${MOBILE_POOL} {
    addrs = ${value("networks.vpnClients.cidr", spec.networks.vpnClients.cidr)}
  }
}
${credentialSections(files)}`;
}

/**
 * swanctl.conf of the site-to-site tunnel to the monitoring and statistics site (`vpn.siteTunnel`): the
 * service network (where monitoring lives) on this side, the site's subnets on the other, the peer named by
 * its certificate's DNS name. Active: installed as a trap and started at once, restarted when DPD finds the
 * peer gone. Standby: loaded, nothing installed or started, cleared (not restarted) if it is ever brought up
 * by hand and the peer goes away.
 */
export function renderSiteTunnelSwanctl(args: SiteTunnelSwanctlArgs): string {
  requireVpnVm(args.vm);
  const { spec, vm, files } = args;
  const site = spec.vpn.siteTunnel;
  const p = proposals(spec);
  const t = resolveTimers(args.timers);
  const active = (args.role ?? "active") === "active";
  return `${header(vm, `the site-to-site tunnel to the monitoring and statistics site (${active ? "active" : "standby"})`)}
connections {
  ${SITE_CONNECTION} {
    version = 2
    local_addrs = ${list("localAddrs", args.localAddrs ?? ["%any"])}
    remote_addrs = ${value("vpn.siteTunnel.peerAddress", site.peerAddress)}
    proposals = ${p.ike}
    mobike = no
    keyingtries = 0
${ikeCommon(t)}
${authentication(vm, files, "site", "vpn.siteTunnel.peerId", site.peerId)}
    children {
      ${SITE_CONNECTION} {
        # The service network (where monitoring lives) on this side, the statistics site's networks on the other.
        local_ts = ${value("networks.service.cidr", spec.networks.service.cidr)}
        remote_ts = ${list("vpn.siteTunnel.remoteSubnets", site.remoteSubnets)}
        esp_proposals = ${p.esp}
        rekey_time = ${t.childRekey}s
        life_time = ${t.childLife}s
        dpd_action = ${active ? "restart" : "clear"}
        close_action = ${active ? "start" : "none"}
        start_action = ${active ? "trap|start" : "none"}
      }
    }
  }
}
${credentialSections(files)}`;
}
