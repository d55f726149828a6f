import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadStackFile, stackFilePath } from "../../spec/load";
import { runOfflinePlan, SECRET_MARK } from "../../offline-plan/run-offline-plan";
import { RESOURCES, isResourceOf } from "../../resource-types";

const projectDir = path.resolve(__dirname, "../../..");

describe("VpnTier in the prod program under pulumi.runtime.setMocks (a plan, not a deployment)", () => {
  it("gives each VPN VM its certificate, its key as a secret, and both connections; no other VM gets them", async () => {
    const plan = await runOfflinePlan(loadStackFile(stackFilePath(projectDir, "prod")));
    const vpnVms = plan.model.vms.filter((v) => v.tier === "vpn");
    expect(vpnVms.length).toBe(2);
    for (const vm of vpnVms) {
      const files = new Map(plan.artifacts.filter((a) => a.vm === vm.name).map((a) => [a.path, a.content]));
      expect(files.get(`/etc/swanctl/private/${vm.fqdn}.pem`)).toBe(SECRET_MARK);
      expect(files.get("/etc/swanctl/conf.d/ibac-mobiles.conf")).toContain("aes256gcm16-prfsha384-ecp384");
      expect(files.get("/etc/swanctl/conf.d/ibac-site.conf")).toContain("stats-gw.prod.example.org");
    }
    const siteStart = vpnVms.map((vm) => /start_action = (\S+)/.exec(plan.artifacts.find((a) => a.vm === vm.name && a.path === "/etc/swanctl/conf.d/ibac-site.conf")?.content ?? "")?.[1]);
    // One gateway carries the site tunnel; the other has it loaded but never starts it.
    expect(siteStart).toEqual(["trap|start", "none"]);
    expect(plan.artifacts.filter((a) => a.path.startsWith("/etc/swanctl/")).every((a) => a.vm.startsWith("vpn-"))).toBe(true);
    for (const vm of vpnVms) {
      const paths = plan.artifacts.filter((a) => a.vm === vm.name).map((a) => a.path);
      // The root and both peer CAs, and each one's CRL.
      const expected = ["x509ca/ibac-ca.pem", "x509ca/ibac-mobiles-ca.pem", "x509ca/ibac-site-ca.pem", "x509crl/ibac-ca.crl.pem", "x509crl/ibac-mobiles-ca.crl.pem", "x509crl/ibac-site-ca.crl.pem"].map((p) => `/etc/swanctl/${p}`);
      for (const p of expected) expect(paths.indexOf(p), p).toBeGreaterThanOrEqual(0);
      expect(plan.artifacts.find((a) => a.vm === vm.name && a.path === "/etc/swanctl/x509crl/ibac-mobiles-ca.crl.pem")?.content).toContain("BEGIN X509 CRL");
    }
    // Each CA's CRL is signed on the deploying machine with the CA key as a secret on standard input.
    const crls = plan.resources.filter((r) => isResourceOf(r, RESOURCES.LocalCommand) && r.name.endsWith("-crl"));
    expect(crls.map((r) => r.name).sort()).toEqual(["ibac-ca-crl", "ibac-ca-mobiles-crl", "ibac-ca-site-crl"]);
    for (const r of crls) expect(JSON.stringify(r.inputs.stdin)).not.toContain("BEGIN");
    const ike = plan.resources.find((r) => isResourceOf(r, RESOURCES.CertRequest) && r.name.includes("vpn-1-ike"));
    expect(ike?.inputs.dnsNames).toEqual([vpnVms[0].fqdn]);
  });
});
