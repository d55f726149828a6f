import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModel } from "../../components/model/build";
import type { VmPlan } from "../../components/model/types";
import { tlsPolicy } from "../../components/pki/tls-policy";
import { MOBILE_CONNECTION, renderConcentratorSwanctl } from "../../components/network/vpn/render-swanctl";
import { stackSpec } from "../fixtures/specs";
import { requireTool } from "../support/require-tool";
import { run, sleep } from "../lab/run";
import { makeIssuingCa, makeLabCa, serialOf, signLabCrl } from "../lab/tls";
import { addDummy, addNetns, captureWhile, charonLog, deleteNamespaces, linkNamespaces, loadSwanctlConf, makeIdentityCertificate, startCharon, stopCharon, swanctl, vpnLabTools, type CharonHost } from "../lab/vpn/charon-lab";

const spec = stackSpec("prod");
const vpn1 = (buildModel(spec).model?.vms ?? []).find((v) => v.name === "vpn-1") as VmPlan;
const serviceAddress = vpn1.nics.find((n) => n.network === "service")?.address ?? "";
const policy = tlsPolicy(spec).ipsec;
// The outer link between the mobile and the concentrator (documentation addresses, only inside the lab's namespaces).
const GATEWAY_OUTER = "192.0.2.1";
const MOBILE_OUTER = "192.0.2.2";
const PHONE_ID = "phone-1.mobiles.ibac.example";
const ROGUE_ID = "phone-2.mobiles.ibac.example";
/** A mobile whose certificate (from the mobiles CA) is in the mobiles CA's CRL. */
const REVOKED_ID = "phone-3.mobiles.ibac.example";
/** A database server's certificate: from the same root, but not from the mobiles CA. */
const DB_ID = "db-1.ibac.rik.ee";

/** The mobile's side (not rendered by the toolkit: it is the app's configuration), with the misbehaving peers. */
function mobileSwanctl(files: { phoneCert: string; rogueCert: string; revokedCert: string; dbCert: string; caCert: string }): string {
  const conn = (name: string, opts: { ike: string; esp: string; cert: string; id: string; remoteId?: string }): string => `
  ${name} {
    version = 2
    remote_addrs = ${GATEWAY_OUTER}
    vips = 0.0.0.0
    proposals = ${opts.ike}
    local {
      auth = pubkey
      certs = ${opts.cert}
      id = ${opts.id}
    }
    remote {
      auth = pubkey
      id = ${opts.remoteId ?? vpn1.fqdn}
      cacerts = ${files.caCert}
    }
    children {
      ${name} {
        remote_ts = ${spec.networks.service.cidr}
        esp_proposals = ${opts.esp}
      }
    }
  }`;
  return `connections {${[
    conn("phone", { ike: policy.ike, esp: policy.esp, cert: files.phoneCert, id: PHONE_ID }),
    conn("weak", { ike: "aes128-sha256-modp2048", esp: "aes128-sha256-modp2048", cert: files.phoneCert, id: PHONE_ID }),
    conn("nopfs", { ike: policy.ike, esp: "aes256gcm16", cert: files.phoneCert, id: PHONE_ID }),
    conn("rogue", { ike: policy.ike, esp: policy.esp, cert: files.rogueCert, id: ROGUE_ID }),
    conn("wrongid", { ike: policy.ike, esp: policy.esp, cert: files.phoneCert, id: PHONE_ID, remoteId: "vpn-9.ibac.rik.ee" }),
    conn("revoked", { ike: policy.ike, esp: policy.esp, cert: files.revokedCert, id: REVOKED_ID }),
    conn("dbcert", { ike: policy.ike, esp: policy.esp, cert: files.dbCert, id: DB_ID }),
  ].join("\n")}
}
`;
}


describe("VPN concentrator rendered from the prod spec: real charon in network namespaces (kernel-libipsec)", () => {
  const created: string[] = [];
  const hosts: CharonHost[] = [];
  let root = "";
  let gateway: CharonHost;
  let mobile: CharonHost;
  let openssl = "";
  let pingTool = "";
  let revokedSerial = "";
  const tag = `${process.pid}`.slice(-5);
  const nsGateway = `ibvpn-gw-${tag}`;
  const nsMobile = `ibvpn-mob-${tag}`;

  beforeAll(async () => {
    const tools = vpnLabTools();
    openssl = tools.openssl;
    pingTool = requireTool("ping", "iputils-ping");
    root = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-vpn-lab-"));
    await addNetns(nsGateway, created);
    await addNetns(nsMobile, created);
    await linkNamespaces({ netns: nsGateway, dev: "eth0", cidr: `${GATEWAY_OUTER}/24` }, { netns: nsMobile, dev: "eth0", cidr: `${MOBILE_OUTER}/24` });
    await addDummy(nsGateway, "svc0", `${serviceAddress}/${vpn1.nics[0].prefix}`);
    gateway = await startCharon("vpn-1", nsGateway, path.join(root, "vpn-1"));
    hosts.push(gateway);
    mobile = await startCharon("phone", nsMobile, path.join(root, "phone"));
    hosts.push(mobile);

    // The platform's PKI as components/pki/internal-ca.ts builds it: a root (servers, gateways) and an
    // issuing CA per kind of VPN peer, each with its CRL signed by the toolkit's own script.
    const ca = await makeLabCa(path.join(root, "ca"), openssl);
    const mobilesCa = await makeIssuingCa(ca, path.join(root, "mobiles-ca"), "iBac lab mobiles CA", openssl);
    const siteCa = await makeIssuingCa(ca, path.join(root, "site-ca"), "iBac lab site CA", openssl);
    const rogueCa = await makeLabCa(path.join(root, "rogue-ca"), openssl);
    const mobileCert = (name: string) => path.join(mobile.swanctl.x509, `${name}.pem`);
    await makeIdentityCertificate(ca, vpn1.fqdn, path.join(gateway.swanctl.x509, "vpn-1.pem"), path.join(gateway.swanctl.private, "vpn-1.pem"), openssl);
    await makeIdentityCertificate(mobilesCa, PHONE_ID, mobileCert("phone"), path.join(mobile.swanctl.private, "phone.pem"), openssl);
    await makeIdentityCertificate(rogueCa, ROGUE_ID, mobileCert("rogue"), path.join(mobile.swanctl.private, "rogue.pem"), openssl);
    await makeIdentityCertificate(mobilesCa, REVOKED_ID, mobileCert("revoked"), path.join(mobile.swanctl.private, "revoked.pem"), openssl);
    await makeIdentityCertificate(ca, DB_ID, mobileCert("db"), path.join(mobile.swanctl.private, "db.pem"), openssl);
    for (const h of hosts) fs.copyFileSync(ca.cert, path.join(h.swanctl.x509ca, "ibac-ca.pem"));
    fs.copyFileSync(mobilesCa.cert, path.join(gateway.swanctl.x509ca, "ibac-mobiles-ca.pem"));
    fs.copyFileSync(siteCa.cert, path.join(gateway.swanctl.x509ca, "ibac-site-ca.pem"));
    revokedSerial = await serialOf(mobileCert("revoked"), openssl);
    await signLabCrl(ca, [], path.join(gateway.swanctl.x509crl, "ibac-ca.crl.pem"));
    await signLabCrl(mobilesCa, [{ issuer: "mobiles", serial: revokedSerial, revokedOn: "2026-11-30", reason: "keyCompromise" }], path.join(gateway.swanctl.x509crl, "ibac-mobiles-ca.crl.pem"));
    await signLabCrl(siteCa, [], path.join(gateway.swanctl.x509crl, "ibac-site-ca.crl.pem"));

    await loadSwanctlConf(gateway, renderConcentratorSwanctl({
      spec, vm: vpn1,
      files: {
        certFile: path.join(gateway.swanctl.x509, "vpn-1.pem"),
        caCertFile: path.join(gateway.swanctl.x509ca, "ibac-ca.pem"),
        peerCaCertFiles: { mobiles: path.join(gateway.swanctl.x509ca, "ibac-mobiles-ca.pem"), site: path.join(gateway.swanctl.x509ca, "ibac-site-ca.pem") },
      },
    }));
    await loadSwanctlConf(mobile, mobileSwanctl({
      phoneCert: mobileCert("phone"), rogueCert: mobileCert("rogue"), revokedCert: mobileCert("revoked"), dbCert: mobileCert("db"),
      caCert: path.join(mobile.swanctl.x509ca, "ibac-ca.pem"),
    }));
  });

  afterAll(async () => {
    for (const h of hosts) await stopCharon(h);
    const failures = await deleteNamespaces(created);
    if (root && !process.env.IBAC_KEEP_VPN_LAB) fs.rmSync(root, { recursive: true, force: true });
    expect(failures).toEqual([]);
  });

  const logs = (): string => `--- gateway log ---\n${charonLog(gateway).slice(-4000)}\n--- mobile log ---\n${charonLog(mobile).slice(-4000)}`;

  it("real charon in network namespaces: the mobile's tunnel comes up with a virtual IP from networks.vpnClients", async () => {
    const r = await swanctl(mobile, "--initiate", ["--child", "phone", "--timeout", "15"]);
    expect(r.code, `${r.stdout}${r.stderr}\n${logs()}`).toBe(0);
    const sas = (await swanctl(gateway, "--list-sas")).stdout;
    expect(sas).toContain(`${MOBILE_CONNECTION}: #`);
    expect(sas).toMatch(/remote '.*phone-1\.mobiles\.ibac\.example'/);
    const prefix = spec.networks.vpnClients.cidr.split(".").slice(0, 2).join(".");
    expect(sas).toMatch(new RegExp(`${prefix.replace(/\./g, "\\.")}\\.\\d+\\.\\d+/32`));
  });

  it("real charon in network namespaces: traffic to the service network crosses the outer link only as ESP", async () => {
    const pcap = path.join(root, "outer.pcap");
    const decoded = await captureWhile(nsGateway, "eth0", pcap, async () => {
      const ping = await run("ip", ["netns", "exec", nsMobile, pingTool, "-c", "5", "-i", "0.2", "-W", "2", serviceAddress]);
      expect(ping.code, `${ping.stdout}${ping.stderr}\n${logs()}`).toBe(0);
    });
    const esp = decoded.split("\n").filter((l) => /ESP\(spi=/.test(l));
    expect(esp.length, decoded).toBeGreaterThanOrEqual(2);
    expect(decoded, decoded).not.toMatch(/ICMP echo|Flags \[/);
    expect(decoded).not.toContain(serviceAddress);
  });

  it("real charon in network namespaces: a forced CHILD_SA rekey runs ECP_384 (PFS), the first CHILD_SA has none", async () => {
    const before = (await swanctl(gateway, "--list-sas")).stdout;
    const childLine = (text: string): string => text.split("\n").find((l) => l.includes(`${MOBILE_CONNECTION}: #`) && l.includes("TUNNEL")) ?? "";
    expect(childLine(before)).toContain("AES_GCM_16-256");
    expect(childLine(before)).not.toContain("ECP_384");
    const r = await swanctl(mobile, "--rekey", ["--child", "phone"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    let after = "";
    for (let i = 0; i < 50 && !childLine(after).includes("ECP_384"); i++) {
      await sleep(100);
      after = (await swanctl(gateway, "--list-sas")).stdout;
    }
    expect(childLine(after), `${after}\n${logs()}`).toContain("AES_GCM_16-256/ECP_384");
    expect(childLine(after)).not.toBe(childLine(before));
  });

  it("real charon in network namespaces: a peer proposing weaker algorithms is refused", async () => {
    const r = await swanctl(mobile, "--initiate", ["--child", "weak", "--timeout", "10"]);
    expect(r.code).not.toBe(0);
    expect(charonLog(mobile), logs()).toMatch(/NO_PROPOSAL_CHOSEN/);
    expect((await swanctl(gateway, "--list-sas")).stdout).not.toMatch(/MODP_2048|AES_CBC-128/);
  });

  it("real charon in network namespaces: ESP without a DH group gets no PFS CHILD_SA (its rekey is refused)", async () => {
    const r = await swanctl(mobile, "--initiate", ["--child", "nopfs", "--timeout", "10"]);
    const rekey = r.code === 0 ? await swanctl(mobile, "--rekey", ["--child", "nopfs"]) : r;
    await sleep(1500);
    const sas = (await swanctl(gateway, "--list-sas")).stdout;
    // Either the first exchange fails, or the rekey (which must carry a key exchange) is refused: never a
    // CHILD_SA that rekeys without ECDH.
    expect(`${r.code} ${rekey.code}\n${sas}\n${logs()}`).toMatch(/NO_PROPOSAL_CHOSEN|no acceptable proposal|failed/i);
    expect(charonLog(mobile)).toMatch(/NO_PROPOSAL_CHOSEN|no acceptable proposal/);
  });

  it("real charon in network namespaces: a mobile with a certificate from another CA is refused", async () => {
    const r = await swanctl(mobile, "--initiate", ["--child", "rogue", "--timeout", "10"]);
    expect(r.code).not.toBe(0);
    expect(charonLog(gateway)).toMatch(new RegExp(`no trusted .*public key found for '${ROGUE_ID.replace(/\./g, "\\.")}'|AUTHENTICATION_FAILED`));
    expect((await swanctl(gateway, "--list-sas")).stdout).not.toContain(ROGUE_ID);
  });

  it("real charon in network namespaces: the gateway loaded the three CRLs and checks them strictly", async () => {
    const crls = (await swanctl(gateway, "--list-certs", ["--type", "x509crl"])).stdout;
    expect(crls, crls).toMatch(/issuer:\s+"CN=iBac lab mobiles CA"/);
    expect(crls).toMatch(/issuer:\s+"CN=iBac lab site CA"/);
    expect(crls).toMatch(/issuer:\s+"CN=iBac lab CA"/);
    expect((await swanctl(gateway, "--list-conns")).stdout).toContain("cacerts: CN=iBac lab mobiles CA\n");
  });

  it("real charon in network namespaces: a database server's certificate from the same root is refused as a mobile", async () => {
    const r = await swanctl(mobile, "--initiate", ["--child", "dbcert", "--timeout", "10"]);
    expect(r.code, `${r.stdout}${r.stderr}`).not.toBe(0);
    expect(r.stdout, logs()).toMatch(/received AUTHENTICATION_FAILED notify error/);
    const log = charonLog(gateway);
    // The chain verifies (same root); the purpose constraint (cacerts = the mobiles CA) refuses it.
    expect(log, logs()).toContain(`received end entity cert "CN=${DB_ID}"`);
    expect(log, logs()).toMatch(/constraint check failed: peer not authenticated by CA 'CN=iBac lab mobiles CA'/);
    expect((await swanctl(gateway, "--list-sas")).stdout).not.toContain(DB_ID);
  });

  it("real charon in network namespaces: a mobile whose certificate the mobiles CA revoked is refused", async () => {
    const r = await swanctl(mobile, "--initiate", ["--child", "revoked", "--timeout", "10"]);
    expect(r.code, `${r.stdout}${r.stderr}`).not.toBe(0);
    expect(r.stdout, logs()).toMatch(/received AUTHENTICATION_FAILED notify error/);
    const log = charonLog(gateway);
    expect(log, logs()).toContain(`received end entity cert "CN=${REVOKED_ID}"`);
    // The revocation date and reason come from the spec-shaped entry the CRL was signed from.
    expect(log, logs()).toContain("certificate was revoked on Nov 30 00:00:00 UTC 2026, reason: key compromise");
    expect((await swanctl(gateway, "--list-sas")).stdout).not.toContain(REVOKED_ID);
    // The same mobiles CA's unrevoked certificate still works: only the listed serial is refused.
    expect((await swanctl(gateway, "--list-sas")).stdout).toMatch(/remote '.*phone-1\.mobiles\.ibac\.example'/);
    expect(revokedSerial).toMatch(/^[0-9A-F]+$/);
  });

  it("real charon in network namespaces: a gateway whose identity is not the one asked for is refused", async () => {
    const r = await swanctl(mobile, "--initiate", ["--child", "wrongid", "--timeout", "10"]);
    expect(r.code).not.toBe(0);
    expect(`${charonLog(gateway)}${charonLog(mobile)}`).toMatch(/vpn-9\.ibac\.rik\.ee/);
  });
  it("real charon in network namespaces: strict means a mobile is refused when its CA's CRL is missing (run last)", async () => {
    // The deployment failed to deliver the mobiles CA's CRL: the gateway must refuse rather than trust blindly.
    fs.rmSync(path.join(gateway.swanctl.x509crl, "ibac-mobiles-ca.crl.pem"));
    const reload = await swanctl(gateway, "--load-creds", ["--clear", "--noprompt", "--file", gateway.swanctl.conf]);
    expect(reload.code, reload.stdout + reload.stderr).toBe(0);
    const crls = (await swanctl(gateway, "--list-certs", ["--type", "x509crl"])).stdout;
    expect(crls).not.toContain("iBac lab mobiles CA");
    await swanctl(gateway, "--terminate", ["--ike", MOBILE_CONNECTION, "--force", "--timeout", "5"]);
    const r = await swanctl(mobile, "--initiate", ["--child", "phone", "--timeout", "10"]);
    expect(r.code, `${r.stdout}${r.stderr}`).not.toBe(0);
    expect(r.stdout, logs()).toMatch(/received AUTHENTICATION_FAILED notify error/);
    const recent = charonLog(gateway).split("\n").slice(-80).join("\n");
    expect(recent, logs()).toContain(`checking certificate status of "CN=${PHONE_ID}"`);
    expect(recent, logs()).toContain("certificate status is not available");
    expect(recent, logs()).toContain("constraint check failed: RULE_CRL_VALIDATION is SKIPPED, but requires at least GOOD");
  });
});
