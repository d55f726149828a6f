import { describe, expect, it } from "vitest";
import { findingsOf, stackResources, editDeliveredFile } from "../../test/fixtures/policy-fixture";
import { vpnPeerPurposePolicy } from "./vpn-peer-purpose";

const MOBILES = "/etc/swanctl/conf.d/ibac-mobiles.conf";
const SITE = "/etc/swanctl/conf.d/ibac-site.conf";

describe("vpn-peer-purpose on the prod stack's offline plan (pulumi.runtime.setMocks, not a deployment)", () => {
  it("prod passes: the mobiles connection trusts the mobiles CA only, the site tunnel the site CA only", async () => {
    expect(await findingsOf(vpnPeerPurposePolicy(), await stackResources("prod"))).toEqual([]);
  });

  it("a mobiles connection that trusts the root (which issues the database servers' certificates) fails", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "vpn-1", MOBILES, (t) => t.replace("cacerts = /etc/swanctl/x509ca/ibac-mobiles-ca.pem", "cacerts = /etc/swanctl/x509ca/ibac-ca.pem"));
    expect(await findingsOf(vpnPeerPurposePolicy(), resources)).toEqual([
      expect.objectContaining({
        subject: "peers accepted by IPsec connection ibac-mobiles on vpn-1",
        observed: "cacerts = /etc/swanctl/x509ca/ibac-ca.pem (the root also issues every server's certificate)",
        expected: "cacerts = /etc/swanctl/x509ca/ibac-mobiles-ca.pem (the mobiles CA only)",
        location: `${MOBILES}: connections.ibac-mobiles.remote.cacerts`,
      }),
    ]);
  });

  it("a site tunnel that also trusts the mobiles CA (a relative name) fails", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "vpn-2", SITE, (t) => t.replace("cacerts = /etc/swanctl/x509ca/ibac-site-ca.pem", "cacerts = /etc/swanctl/x509ca/ibac-site-ca.pem,ibac-mobiles-ca.pem"));
    expect(await findingsOf(vpnPeerPurposePolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "peers accepted by IPsec connection ibac-stats-site on vpn-2", observed: "cacerts = /etc/swanctl/x509ca/ibac-site-ca.pem, /etc/swanctl/x509ca/ibac-mobiles-ca.pem" }),
    ]);
  });

  it.each(["staging", "lab"])("%s passes vpn-peer-purpose", async (stack) => {
    expect(await findingsOf(vpnPeerPurposePolicy(), await stackResources(stack))).toEqual([]);
  });
});
