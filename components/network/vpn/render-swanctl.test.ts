import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModel } from "../../model/build";
import type { VmPlan } from "../../model/types";
import { tlsPolicy } from "../../pki/tls-policy";
import { stackSpec } from "../../../test/fixtures/specs";
import { makeIssuingCa, makeLabCa, makeServerCertificate } from "../../../test/lab/tls";
import { addNetns, deleteNamespaces, startCharon, stopCharon, swanctl, vpnLabTools, type CharonHost } from "../../../test/lab/vpn/charon-lab";
import { MOBILE_CONNECTION, MOBILE_POOL, SITE_CONNECTION, renderConcentratorSwanctl, renderSiteTunnelSwanctl, siteTunnelRole, swanctlLayout, type SwanctlCredentialFiles } from "./render-swanctl";

const spec = stackSpec("prod");
const vpn1 = (buildModel(spec).model?.vms ?? []).find((v) => v.name === "vpn-1") as VmPlan;
const files: SwanctlCredentialFiles = {
  certFile: "/etc/swanctl/x509/vpn-1.pem",
  caCertFile: "/etc/swanctl/x509ca/ibac-ca.pem",
  peerCaCertFiles: { mobiles: "/etc/swanctl/x509ca/ibac-mobiles-ca.pem", site: "/etc/swanctl/x509ca/ibac-site-ca.pem" },
};
/** The `remote { ... }` section of a rendered connection. */
const remoteSection = (text: string): string => /\n    remote \{\n([\s\S]*?)\n    \}/.exec(text)?.[1] ?? "";

describe("swanctl.conf of the VPN gateways (rendered text)", () => {
  const concentrator = renderConcentratorSwanctl({ spec, vm: vpn1, files });
  const site = renderSiteTunnelSwanctl({ spec, vm: vpn1, files });
  const policy = tlsPolicy(spec).ipsec;

  it("uses exactly the TLS policy's proposals, without a default fallback", () => {
    for (const text of [concentrator, site]) {
      expect(text).toContain(`    proposals = ${policy.ike}\n`);
      expect(text).toContain(`        esp_proposals = ${policy.esp}\n`);
      expect(text).not.toMatch(/proposals = .*default/);
      expect(text).toContain("version = 2");
    }
    expect(policy.esp).toMatch(/ecp384/);
  });

  it("gives mobiles a virtual IP from networks.vpnClients and the service network behind the gateway", () => {
    expect(concentrator).toContain(`pools = ${MOBILE_POOL}`);
    expect(concentrator).toContain(`addrs = ${spec.networks.vpnClients.cidr}`);
    expect(concentrator).toContain(`local_ts = ${spec.networks.service.cidr}`);
    expect(concentrator).toContain(`id = ${vpn1.fqdn}`);
    expect(concentrator).toMatch(/unique = replace\n[\s\S]*send_certreq = yes|send_certreq = yes[\s\S]*unique = replace/);
    expect(concentrator).toMatch(/dpd_delay = \d+s/);
  });

  it("points the site tunnel at vpn.siteTunnel", () => {
    const t = spec.vpn.siteTunnel;
    expect(site).toContain(`remote_addrs = ${t.peerAddress}`);
    expect(site).toContain(`id = ${t.peerId}`);
    expect(site).toContain(`remote_ts = ${t.remoteSubnets.join(",")}`);
    expect(site).toContain("start_action = trap|start");
    expect(site).toContain("dpd_action = restart");
  });

  it("renders the standby gateway's site tunnel loaded but never started, so the site sees one tunnel", () => {
    const standby = renderSiteTunnelSwanctl({ spec, vm: vpn1, files, role: "standby" });
    expect(standby).toContain("start_action = none");
    expect(standby).toContain("close_action = none");
    expect(standby).toContain("dpd_action = clear");
    expect(standby).toContain(`id = ${spec.vpn.siteTunnel.peerId}`);
  });

  it("makes the first VPN VM the active site-tunnel gateway and every other one standby", () => {
    const vpnVms = (buildModel(spec).model?.vms ?? []).filter((v) => v.tier === "vpn");
    expect(vpnVms.map((v) => siteTunnelRole(v, vpnVms))).toEqual(["active", "standby"]);
  });

  it("accepts mobiles only from the mobiles CA and the site only from the site CA, revocation checked strictly", () => {
    expect(remoteSection(concentrator)).toContain(`cacerts = ${files.peerCaCertFiles.mobiles}\n`);
    expect(remoteSection(site)).toContain(`cacerts = ${files.peerCaCertFiles.site}\n`);
    for (const text of [concentrator, site]) {
      expect(remoteSection(text)).toContain("revocation = strict");
      expect(remoteSection(text)).not.toContain(files.caCertFile);
      expect(text).not.toContain("revocation = relaxed");
    }
    expect(swanctlLayout("/etc/swanctl").x509crl).toBe("/etc/swanctl/x509crl");
  });

  it("holds no private key and refuses a VM of another tier or an unsafe value", () => {
    for (const text of [concentrator, site]) expect(text).not.toMatch(/-----BEGIN|^secrets \{/m);
    expect(() => renderConcentratorSwanctl({ spec, vm: { ...vpn1, tier: "api" }, files })).toThrow(/not a VPN gateway/);
    expect(() => renderConcentratorSwanctl({ spec, vm: vpn1, files: { ...files, certFile: "a b}" } })).toThrow(/certFile/);
    expect(swanctlLayout("/etc/swanctl/").private).toBe("/etc/swanctl/private");
  });
});

describe("swanctl.conf of the VPN gateways, loaded by real charon in a network namespace", () => {
  const created: string[] = [];
  let root = "";
  let host: CharonHost;

  beforeAll(async () => {
    const tools = vpnLabTools();
    root = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-vpn-parse-"));
    const netns = `ibvpnp-${process.pid}`;
    await addNetns(netns, created);
    host = await startCharon("vpn-1", netns, path.join(root, "vpn-1"));
    const ca = await makeLabCa(path.join(root, "ca"), tools.openssl);
    fs.copyFileSync(ca.cert, path.join(host.swanctl.x509ca, "ibac-ca.pem"));
    for (const purpose of ["mobiles", "site"]) {
      const issuing = await makeIssuingCa(ca, path.join(root, purpose), `iBac lab ${purpose} CA`, tools.openssl);
      fs.copyFileSync(issuing.cert, path.join(host.swanctl.x509ca, `ibac-${purpose}-ca.pem`));
    }
    await makeServerCertificate(ca, {
      commonName: vpn1.fqdn, dnsNames: [vpn1.fqdn], ipAddresses: [],
      certFile: path.join(host.swanctl.x509, "vpn-1.pem"), keyFile: path.join(host.swanctl.private, "vpn-1.pem"),
    }, tools.openssl);
  });

  afterAll(async () => {
    if (host) await stopCharon(host);
    const failures = await deleteNamespaces(created);
    if (root) fs.rmSync(root, { recursive: true, force: true });
    expect(failures).toEqual([]);
  });

  const labFiles = (): SwanctlCredentialFiles => ({
    certFile: path.join(host.swanctl.x509, "vpn-1.pem"),
    caCertFile: path.join(host.swanctl.x509ca, "ibac-ca.pem"),
    peerCaCertFiles: { mobiles: path.join(host.swanctl.x509ca, "ibac-mobiles-ca.pem"), site: path.join(host.swanctl.x509ca, "ibac-site-ca.pem") },
  });

  async function load(text: string): Promise<{ code: number; out: string }> {
    fs.writeFileSync(host.swanctl.conf, text);
    const r = await swanctl(host, "--load-all", ["--file", host.swanctl.conf]);
    return { code: r.code, out: r.stdout + r.stderr };
  }

  /** A file swanctl accepted: exit 0 and no parser complaint (swanctl exits 0 on a syntax error). */
  function expectLoaded(r: { code: number; out: string }): void {
    expect(r.code, r.out).toBe(0);
    expect(r.out).not.toMatch(/syntax error|invalid config file|failed to load|loading .* failed/i);
  }

  it("loads the concentrator's file: its key, pool and connection with the policy's proposals", async () => {
    const r = await load(renderConcentratorSwanctl({ spec, vm: vpn1, files: labFiles() }));
    expectLoaded(r);
    expect(r.out).toMatch(/loaded ecdsa key|loaded private key|loaded key/i);
    expect(r.out).toContain(`loaded pool '${MOBILE_POOL}'`);
    expect(r.out).toMatch(/loaded authority 'ibac-mobiles-ca'/);
    expect(r.out).toContain(`loaded connection '${MOBILE_CONNECTION}'`);
    const conns = (await swanctl(host, "--list-conns")).stdout;
    expect(conns).toContain(`${MOBILE_CONNECTION}: IKEv2`);
    expect(conns).toContain(`id: ${vpn1.fqdn}`);
    expect(conns).toContain(`local:  ${spec.networks.service.cidr}`);
    const pools = (await swanctl(host, "--list-pools")).stdout;
    expect(pools).toContain(spec.networks.vpnClients.cidr.split("/")[0]);
  });

  it("loads the site tunnel's file: peer, subnets and a trap policy for the site's networks", async () => {
    const r = await load(renderSiteTunnelSwanctl({ spec, vm: vpn1, files: labFiles() }));
    expectLoaded(r);
    expect(r.out).toContain(`loaded connection '${SITE_CONNECTION}'`);
    const conns = (await swanctl(host, "--list-conns")).stdout;
    expect(conns).toContain(`remote: ${spec.vpn.siteTunnel.peerAddress}`);
    expect(conns).toContain(`id: ${spec.vpn.siteTunnel.peerId}`);
    expect(conns).toContain(`remote: ${spec.vpn.siteTunnel.remoteSubnets[0]}`);
    expect(conns).toMatch(/dpd action is (restart|start)/);
  });

  it("reports a syntax error (the check can fail)", async () => {
    // An unbalanced brace. swanctl 5.9.8 --load-all exits 0 even then (it loads the key directories and
    // reports "no connections found"), so the check reads its output, as load() does for every file.
    const good = renderConcentratorSwanctl({ spec, vm: vpn1, files: labFiles() });
    const broken = good.replace("\n}\n\npools", "\n\npools");
    expect(broken).not.toBe(good);
    const r = await load(broken);
    expect(r.out).toMatch(/syntax error[\s\S]*invalid config file/);
    expect(r.out).not.toContain("loaded connection");
  });

  it("reports an unknown proposal (charon, not swanctl, rejects it)", async () => {
    const bad = renderConcentratorSwanctl({ spec, vm: vpn1, files: labFiles() }).replace(tlsPolicy(spec).ipsec.ike, "aes256gcm16-prfsha384-ecp999");
    const r = await load(bad);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/proposal/i);
  });
});
