import { describe, expect, it } from "vitest";
import { findingsOf, stackResources, editDeliveredFile } from "../../test/fixtures/policy-fixture";
import { proposalProblem, vpnIpsecProposalsPolicy } from "./vpn-ipsec-proposals";

const MOBILES = "/etc/swanctl/conf.d/ibac-mobiles.conf";
const SITE = "/etc/swanctl/conf.d/ibac-site.conf";

describe("VPN policies on the prod stack's offline plan (pulumi.runtime.setMocks, not a deployment)", () => {
  it("vpn-ipsec-proposals: prod passes; ESP without a DH group (no PFS) fails, naming the child and the file", async () => {
    expect(await findingsOf(vpnIpsecProposalsPolicy(), await stackResources("prod"))).toEqual([]);
    const resources = editDeliveredFile(await stackResources("prod"), "vpn-1", MOBILES, (t) => t.replace("esp_proposals = aes256gcm16-ecp384", "esp_proposals = aes256gcm16"));
    const findings = await findingsOf(vpnIpsecProposalsPolicy(), resources);
    expect(findings).toEqual([
      expect.objectContaining({
        subject: "ESP proposals of child ibac-mobiles of ibac-mobiles on vpn-1",
        observed: "aes256gcm16 (no DH group: rekeys have no PFS)",
        location: `${MOBILES}: connections.ibac-mobiles.children.ibac-mobiles.esp_proposals`,
      }),
    ]);
    expect(findings[0].urn).toContain("vpn-1-config-copy-etc-swanctl-conf-d-ibac-mobiles-conf");
  });

  it("vpn-ipsec-proposals: weak IKE proposals with `default` and IKEv1 allowed fail", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "vpn-2", SITE, (t) =>
      t.replace("proposals = aes256gcm16-prfsha384-ecp384", "proposals = aes128-sha1-modp1024,default").replace("    version = 2\n", ""));
    expect(await findingsOf(vpnIpsecProposalsPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "IPsec connection ibac-stats-site on vpn-2", observed: "version not set (0: IKEv1 and IKEv2)", expected: "version = 2 (IKEv2 only)" }),
      expect.objectContaining({
        subject: "IKE proposals of ibac-stats-site on vpn-2",
        observed: "aes128-sha1-modp1024 (aes128, sha1, modp1024 not allowed; no AES-256-GCM; no PRF SHA-384; no ECP-384 (or stronger) DH group), default (`default` appends strongSwan's default proposals)",
        location: `${SITE}: connections.ibac-stats-site.proposals`,
      }),
    ]);
  });

  it("reads proposals token by token", () => {
    expect(proposalProblem("aes256gcm16-prfsha384-ecp384", "ike")).toBeUndefined();
    expect(proposalProblem("aes256gcm16-prfsha384-ecp521-ecp384", "ike")).toBeUndefined();
    expect(proposalProblem("aes256gcm16-ecp384-esn", "esp")).toBeUndefined();
    expect(proposalProblem("aes256gcm16-prfsha384-curve25519", "ike")).toBe("curve25519 outside the policy; no ECP-384 (or stronger) DH group");
    expect(proposalProblem("aes256gcm16-prfsha384-ecp384", "esp")).toBe("prfsha384 outside the policy");
    expect(proposalProblem("aes256-sha384-ecp384", "esp")).toBe("aes256, sha384 outside the policy; no AES-256-GCM");
  });

  it("declares the names and requirement ids the catalogue refers to", () => {
    expect([vpnIpsecProposalsPolicy()].map(({ name, requirements, severity, enforcementLevel }) => ({ name, requirements, severity, enforcementLevel }))).toEqual([
      { name: "vpn-ipsec-proposals", requirements: ["IBAC-VPN-001"], severity: "critical", enforcementLevel: "mandatory" },
    ]);
  });

  it.each(["staging", "lab"])("%s passes vpn-ipsec-proposals", async (stack) => {
    expect(await findingsOf(vpnIpsecProposalsPolicy(), await stackResources(stack))).toEqual([]);
  });
});
