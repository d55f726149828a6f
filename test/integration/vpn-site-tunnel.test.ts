import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModel } from "../../components/model/build";
import type { VmPlan } from "../../components/model/types";
import { tlsPolicy } from "../../components/pki/tls-policy";
import { SITE_CONNECTION, renderSiteTunnelSwanctl, siteTunnelRole, type SwanctlCredentialFiles } from "../../components/network/vpn/render-swanctl";
import { stackSpec } from "../fixtures/specs";
import { requireTool } from "../support/require-tool";
import { run, runChecked, sleep } from "../lab/run";
import { makeIssuingCa, makeLabCa, signLabCrl } from "../lab/tls";
import { addDummy, addNetns, captureWhile, charonLog, deleteNamespaces, linkNamespaces, loadSwanctlConf, makeIdentityCertificate, startCharon, stopCharon, swanctl, vpnLabTools, type CharonHost } from "../lab/vpn/charon-lab";

const spec = stackSpec("prod");
const vpnVms = (buildModel(spec).model?.vms ?? []).filter((v) => v.tier === "vpn");
const vpn1 = vpnVms.find((v) => v.name === "vpn-1") as VmPlan;
const vpn2 = vpnVms.find((v) => v.name === "vpn-2") as VmPlan;
const serviceNic = (vm: VmPlan): { address: string; prefix: number } => {
  const nic = vm.nics.find((n) => n.network === "service");
  return { address: nic?.address ?? "", prefix: nic?.prefix ?? 24 };
};
const site = spec.vpn.siteTunnel;
const policy = tlsPolicy(spec).ipsec;
const serviceCidr = spec.networks.service.cidr;
const siteSubnet = site.remoteSubnets[0];
/** The statistics site's address inside its subnet: the first host of `remoteSubnets[0]`. */
const SITE_INNER = siteSubnet.replace(/\.0\/\d+$/, ".1");
// Outer links, only inside the lab's namespaces. vpn-1 shares the site's segment (the site's address is
// `vpn.siteTunnel.peerAddress`, a documentation address); vpn-2 reaches it over its own routed link.
const VPN1_OUTER = "198.51.100.1";
const VPN2_OUTER = "203.0.113.2";
const SITE_OUTER_2 = "203.0.113.20";
const IMPOSTOR_ID = "stats-gw.evil.example.org";
/** `text` as a regular expression matching it literally. */
const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** `<name>: #<n>, reqid <n>, INSTALLED`: a CHILD_SA line of `swanctl --list-sas`. */
const INSTALLED = new RegExp(`${SITE_CONNECTION}: #\\d+, reqid \\d+, INSTALLED`);

/**
 * The statistics site's side (not rendered by the toolkit: it is that site's own configuration). A responder:
 * one connection per VPN gateway identity, so it accepts the tunnel from either; `impostor` presents a
 * certificate from the site CA whose identity is not `vpn.siteTunnel.peerId`; `wrongpurpose` presents the right
 * identity in a certificate the root issued directly (as it issues servers' certificates), not the site CA.
 */
function siteSwanctl(files: { siteCert: string; impostorCert: string; wrongPurposeCert: string; caCert: string }): string {
  const conn = (name: string, child: string, opts: { remoteAddr: string; cert: string; id: string; remoteId: string }): string => `
  ${name} {
    version = 2
    local_addrs = ${site.peerAddress}
    remote_addrs = ${opts.remoteAddr}
    proposals = ${policy.ike}
    local {
      auth = pubkey
      certs = ${opts.cert}
      id = ${opts.id}
    }
    remote {
      auth = pubkey
      id = ${opts.remoteId}
      cacerts = ${files.caCert}
    }
    children {
      ${child} {
        local_ts = ${site.remoteSubnets.join(",")}
        remote_ts = ${serviceCidr}
        esp_proposals = ${policy.esp}
        start_action = none
      }
    }
  }`;
  return `connections {${[
    conn("from-vpn-1", SITE_CONNECTION, { remoteAddr: VPN1_OUTER, cert: files.siteCert, id: site.peerId, remoteId: vpn1.fqdn }),
    conn("from-vpn-2", SITE_CONNECTION, { remoteAddr: VPN2_OUTER, cert: files.siteCert, id: site.peerId, remoteId: vpn2.fqdn }),
    conn("impostor", "impostor", { remoteAddr: VPN1_OUTER, cert: files.impostorCert, id: IMPOSTOR_ID, remoteId: vpn1.fqdn }),
    conn("wrongpurpose", "wrongpurpose", { remoteAddr: VPN1_OUTER, cert: files.wrongPurposeCert, id: site.peerId, remoteId: vpn1.fqdn }),
  ].join("\n")}
}
`;
}


async function listSas(host: CharonHost): Promise<string> {
  return (await swanctl(host, "--list-sas")).stdout;
}

/** Polls `--list-sas` on every host until each shows an INSTALLED ibac-stats-site CHILD_SA, or gives up. */
async function waitInstalled(hosts: readonly CharonHost[], timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let sas: string[] = [];
  do {
    sas = await Promise.all(hosts.map(listSas));
    if (sas.every((s) => INSTALLED.test(s))) break;
    await sleep(200);
  } while (Date.now() < deadline);
  return sas;
}

/** The CHILD_SA line of the site tunnel in a `--list-sas` output (not the IKE_SA line of the same name). */
const childLine = (text: string): string => text.split("\n").find((l) => INSTALLED.test(l)) ?? "";

describe("VPN site-to-site tunnel rendered from the prod spec: real charon in network namespaces (kernel-libipsec)", () => {
  const created: string[] = [];
  const hosts: CharonHost[] = [];
  let root = "";
  let gw1: CharonHost;
  let gw2: CharonHost;
  let stats: CharonHost;
  let pingTool = "";
  const tag = `${process.pid}`.slice(-5);
  const nsVpn1 = `ibsite-v1-${tag}`;
  const nsVpn2 = `ibsite-v2-${tag}`;
  const nsSite = `ibsite-gw-${tag}`;
  const gatewayFiles = (h: CharonHost, name: string): SwanctlCredentialFiles => ({
    certFile: path.join(h.swanctl.x509, `${name}.pem`),
    caCertFile: path.join(h.swanctl.x509ca, "ibac-ca.pem"),
    peerCaCertFiles: { mobiles: path.join(h.swanctl.x509ca, "ibac-mobiles-ca.pem"), site: path.join(h.swanctl.x509ca, "ibac-site-ca.pem") },
  });
  const siteFiles = (): { siteCert: string; impostorCert: string; wrongPurposeCert: string; caCert: string } => ({
    siteCert: path.join(stats.swanctl.x509, "site.pem"), impostorCert: path.join(stats.swanctl.x509, "impostor.pem"),
    wrongPurposeCert: path.join(stats.swanctl.x509, "wrong-purpose.pem"),
    caCert: path.join(stats.swanctl.x509ca, "ibac-ca.pem"),
  });

  beforeAll(async () => {
    const tools = vpnLabTools();
    const openssl = tools.openssl;
    pingTool = requireTool("ping", "iputils-ping");
    expect(siteTunnelRole(vpn1, vpnVms)).toBe("active");
    expect(siteTunnelRole(vpn2, vpnVms)).toBe("standby");
    root = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-vpn-site-lab-"));
    for (const ns of [nsVpn1, nsVpn2, nsSite]) await addNetns(ns, created);
    await linkNamespaces({ netns: nsVpn1, dev: "eth0", cidr: `${VPN1_OUTER}/24` }, { netns: nsSite, dev: "eth0", cidr: `${site.peerAddress}/24` });
    await linkNamespaces({ netns: nsVpn2, dev: "eth0", cidr: `${VPN2_OUTER}/24` }, { netns: nsSite, dev: "eth1", cidr: `${SITE_OUTER_2}/24` });
    await runChecked("ip", ["-n", nsVpn2, "route", "add", `${site.peerAddress}/32`, "via", SITE_OUTER_2]);
    for (const [ns, vm] of [[nsVpn1, vpn1], [nsVpn2, vpn2]] as const) {
      const nic = serviceNic(vm);
      await addDummy(ns, "svc0", `${nic.address}/${nic.prefix}`);
    }
    await addDummy(nsSite, "in0", `${SITE_INNER}/${siteSubnet.split("/")[1]}`);

    gw1 = await startCharon("vpn-1", nsVpn1, path.join(root, "vpn-1"));
    hosts.push(gw1);
    gw2 = await startCharon("vpn-2", nsVpn2, path.join(root, "vpn-2"));
    hosts.push(gw2);
    stats = await startCharon("stats-gw", nsSite, path.join(root, "stats-gw"));
    hosts.push(stats);

    // The platform's PKI (components/pki/internal-ca.ts): the root issues the gateways' certificates, the site
    // CA the statistics site's; each CA's CRL (nothing revoked) is on both gateways, which check strictly.
    const ca = await makeLabCa(path.join(root, "ca"), openssl);
    const mobilesCa = await makeIssuingCa(ca, path.join(root, "mobiles-ca"), "iBac lab mobiles CA", openssl);
    const siteCa = await makeIssuingCa(ca, path.join(root, "site-ca"), "iBac lab site CA", openssl);
    await makeIdentityCertificate(ca, vpn1.fqdn, gatewayFiles(gw1, "vpn-1").certFile, path.join(gw1.swanctl.private, "vpn-1.pem"), openssl);
    await makeIdentityCertificate(ca, vpn2.fqdn, gatewayFiles(gw2, "vpn-2").certFile, path.join(gw2.swanctl.private, "vpn-2.pem"), openssl);
    await makeIdentityCertificate(siteCa, site.peerId, path.join(stats.swanctl.x509, "site.pem"), path.join(stats.swanctl.private, "site.pem"), openssl);
    await makeIdentityCertificate(siteCa, IMPOSTOR_ID, path.join(stats.swanctl.x509, "impostor.pem"), path.join(stats.swanctl.private, "impostor.pem"), openssl);
    await makeIdentityCertificate(ca, site.peerId, path.join(stats.swanctl.x509, "wrong-purpose.pem"), path.join(stats.swanctl.private, "wrong-purpose.pem"), openssl);
    for (const h of hosts) fs.copyFileSync(ca.cert, path.join(h.swanctl.x509ca, "ibac-ca.pem"));
    for (const gw of [gw1, gw2]) {
      fs.copyFileSync(mobilesCa.cert, gatewayFiles(gw, "x").peerCaCertFiles.mobiles);
      fs.copyFileSync(siteCa.cert, gatewayFiles(gw, "x").peerCaCertFiles.site);
      await signLabCrl(ca, [], path.join(gw.swanctl.x509crl, "ibac-ca.crl.pem"));
      await signLabCrl(mobilesCa, [], path.join(gw.swanctl.x509crl, "ibac-mobiles-ca.crl.pem"));
      await signLabCrl(siteCa, [], path.join(gw.swanctl.x509crl, "ibac-site-ca.crl.pem"));
    }

    await loadSwanctlConf(stats, siteSwanctl(siteFiles()));
  });

  afterAll(async () => {
    for (const h of hosts) await stopCharon(h);
    const failures = await deleteNamespaces(created);
    if (root && !process.env.IBAC_KEEP_VPN_LAB) fs.rmSync(root, { recursive: true, force: true });
    expect(failures).toEqual([]);
  });

  const logs = (): string => hosts.map((h) => `--- ${h.name} log ---\n${charonLog(h).slice(-4000)}`).join("\n");

  it("real charon in network namespaces: the active gateway (vpn-1) brings the site tunnel up by itself", async () => {
    await loadSwanctlConf(gw1, renderSiteTunnelSwanctl({ spec, vm: vpn1, files: gatewayFiles(gw1, "vpn-1"), role: siteTunnelRole(vpn1, vpnVms) }));
    // No --initiate anywhere: start_action = trap|start on vpn-1, start_action = none at the site.
    const [sas1, sasSite] = await waitInstalled([gw1, stats], 30_000);
    expect(sas1, `${sas1}\n${sasSite}\n${logs()}`).toMatch(INSTALLED);
    expect(sasSite, `${sas1}\n${sasSite}\n${logs()}`).toMatch(INSTALLED);
    expect(sas1).toContain(`remote '${site.peerId}'`);
    expect(sas1).toMatch(new RegExp(`local  ${literal(serviceCidr)}`));
    expect(sas1).toMatch(new RegExp(`remote ${literal(siteSubnet)}`));
    expect(sasSite).toMatch(/^from-vpn-1: #/m);
    expect(sasSite).toContain(`remote '${vpn1.fqdn}'`);
    // The trap stays installed, so traffic (or DPD's restart) brings the tunnel back if it ever goes down.
    expect((await swanctl(gw1, "--list-pols")).stdout).toMatch(new RegExp(`^${SITE_CONNECTION}/${SITE_CONNECTION}, TUNNEL`, "m"));
    // vpn-1 was the initiator, the site only answered.
    expect(charonLog(gw1)).toMatch(new RegExp(`initiating IKE_SA ${SITE_CONNECTION}\\[\\d+\\] to ${literal(site.peerAddress)}`));
    expect(charonLog(stats)).not.toMatch(/initiating IKE_SA/);
  });

  it("real charon in network namespaces: traffic between the inner subnets crosses the outer link only as ESP", async () => {
    const target = serviceNic(vpn1).address;
    const pcap = path.join(root, "outer.pcap");
    const decoded = await captureWhile(nsVpn1, "eth0", pcap, async () => {
      const ping = await run("ip", ["netns", "exec", nsSite, pingTool, "-c", "5", "-i", "0.2", "-W", "2", "-I", SITE_INNER, target]);
      expect(ping.code, `${ping.stdout}${ping.stderr}\n${logs()}`).toBe(0);
    });
    const esp = decoded.split("\n").filter((l) => /ESP\(spi=/.test(l));
    expect(esp.length, decoded).toBeGreaterThanOrEqual(2);
    expect(decoded, decoded).not.toMatch(/ICMP echo|Flags \[/);
    expect(decoded).not.toContain(target);
    expect(decoded).not.toContain(SITE_INNER);
  });

  it("real charon in network namespaces: a forced CHILD_SA rekey runs ECP_384 (PFS)", async () => {
    const before = await listSas(gw1);
    expect(childLine(before)).toContain("AES_GCM_16-256");
    expect(childLine(before)).not.toContain("ECP_384");
    const r = await swanctl(gw1, "--rekey", ["--child", SITE_CONNECTION]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    let after: string[] = ["", ""];
    for (let i = 0; i < 100 && !after.every((s) => childLine(s).includes("ECP_384")); i++) {
      await sleep(100);
      after = await Promise.all([listSas(gw1), listSas(stats)]);
    }
    for (const s of after) expect(childLine(s), `${s}\n${logs()}`).toContain("AES_GCM_16-256/ECP_384");
    expect(childLine(after[0])).not.toBe(childLine(before));
  });

  it("real charon in network namespaces: a site gateway presenting another identity from the same CA is refused by vpn-1", async () => {
    const r = await swanctl(stats, "--initiate", ["--child", "impostor", "--timeout", "10"]);
    expect(r.code, `${r.stdout}${r.stderr}`).not.toBe(0);
    expect(r.stdout, logs()).toMatch(/received AUTHENTICATION_FAILED notify error/);
    // The certificate is from the toolkit's CA: vpn-1 refused it for its identity alone (no connection of vpn-1
    // accepts anyone but vpn.siteTunnel.peerId).
    const log1 = charonLog(gw1);
    expect(log1, logs()).toContain(`received end entity cert "CN=${IMPOSTOR_ID}"`);
    expect(log1, logs()).toMatch(new RegExp(`looking for peer configs matching .*\\[${literal(IMPOSTOR_ID)}\\]`));
    expect(log1, logs()).toContain("no matching peer config found");
    const sas1 = await listSas(gw1);
    expect(sas1).not.toContain(IMPOSTOR_ID);
    expect(sas1, sas1).toMatch(INSTALLED);
    expect(await listSas(stats)).not.toMatch(/^impostor: #/m);
  });

  it("real charon in network namespaces: the site's own identity in a certificate the root issued (not the site CA) is refused by vpn-1", async () => {
    const r = await swanctl(stats, "--initiate", ["--child", "wrongpurpose", "--timeout", "10"]);
    expect(r.code, `${r.stdout}${r.stderr}`).not.toBe(0);
    expect(r.stdout, logs()).toMatch(/received AUTHENTICATION_FAILED notify error/);
    const log1 = charonLog(gw1);
    // The identity is vpn.siteTunnel.peerId and the chain verifies (same root): only the purpose is wrong.
    expect(log1, logs()).toMatch(new RegExp(`looking for peer configs matching .*\\[${literal(site.peerId)}\\]`));
    expect(log1, logs()).toMatch(/constraint check failed: peer not authenticated by CA 'CN=iBac lab site CA'/);
    expect(await listSas(stats)).not.toMatch(/^wrongpurpose: #/m);
    expect(await listSas(gw1), logs()).toMatch(INSTALLED);
  });

  it("real charon in network namespaces: the standby gateway (vpn-2) never initiates, but an operator can bring it up", async () => {
    await loadSwanctlConf(gw2, renderSiteTunnelSwanctl({ spec, vm: vpn2, files: gatewayFiles(gw2, "vpn-2"), role: siteTunnelRole(vpn2, vpnVms) }));
    await sleep(3000);
    expect(await listSas(gw2), logs()).not.toContain(SITE_CONNECTION);
    expect((await swanctl(gw2, "--list-pols")).stdout).not.toContain(SITE_CONNECTION);
    expect(charonLog(gw2)).not.toMatch(/initiating IKE_SA/);
    const sasSite = await listSas(stats);
    expect(sasSite).toMatch(/^from-vpn-1: #/m);
    expect(sasSite).not.toMatch(/^from-vpn-2: #/m);
    expect(sasSite).not.toContain(vpn2.fqdn);

    // The active VM is lost (its charon stops, deleting its IKE_SA at the site); the operator then starts the
    // standby's loaded connection.
    await stopCharon(gw1);
    let left = sasSite;
    for (let i = 0; i < 50 && /^from-vpn-1: #/m.test(left); i++) {
      await sleep(100);
      left = await listSas(stats);
    }
    expect(left, logs()).not.toMatch(/^from-vpn-1: #/m);
    const r = await swanctl(gw2, "--initiate", ["--child", SITE_CONNECTION, "--timeout", "15"]);
    expect(r.code, `${r.stdout}${r.stderr}\n${logs()}`).toBe(0);
    const [sas2, sasSite2] = await waitInstalled([gw2, stats], 15_000);
    expect(sas2, `${sas2}\n${sasSite2}\n${logs()}`).toMatch(INSTALLED);
    expect(sasSite2, logs()).toMatch(/^from-vpn-2: #/m);
    expect(sasSite2).toContain(`remote '${vpn2.fqdn}'`);
    const ping = await run("ip", ["netns", "exec", nsSite, pingTool, "-c", "3", "-i", "0.2", "-W", "2", "-I", SITE_INNER, serviceNic(vpn2).address]);
    expect(ping.code, `${ping.stdout}${ping.stderr}\n${logs()}`).toBe(0);
  });
});
