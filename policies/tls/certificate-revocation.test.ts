import { describe, expect, it } from "vitest";
import { findingsOf, stackResources, editDeliveredFile } from "../../test/fixtures/policy-fixture";
import { certificateRevocationPolicy } from "./certificate-revocation";

const SERVER_CNF = "/etc/mysql/mariadb.conf.d/60-ibac.cnf";
const SETUP_SQL = "/etc/mysql/ibac-setup.sql";
const MOBILES = "/etc/swanctl/conf.d/ibac-mobiles.conf";
const MOBILES_CRL = "/etc/swanctl/x509crl/ibac-mobiles-ca.crl.pem";

describe("certificate-revocation on the prod stack's offline plan (pulumi.runtime.setMocks, not a deployment)", () => {
  it("prod passes: strict revocation on every IPsec peer, each CA's CRL on the gateways, ssl_crl and MASTER_SSL_CRL on the databases", async () => {
    expect(await findingsOf(certificateRevocationPolicy(), await stackResources("prod"))).toEqual([]);
  });

  it("relaxed revocation on the mobiles connection fails", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "vpn-1", MOBILES, (t) => t.replace("revocation = strict", "revocation = relaxed"));
    expect(await findingsOf(certificateRevocationPolicy(), resources)).toEqual([
      expect.objectContaining({
        subject: "revocation check of IPsec connection ibac-mobiles on vpn-1",
        observed: "revocation = relaxed",
        expected: "revocation = strict (a revoked certificate, or one whose CRL is missing or stale, is refused)",
        location: `${MOBILES}: connections.ibac-mobiles.remote.revocation`,
      }),
    ]);
  });

  it("a mobiles CA without its CRL on the gateway fails", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "vpn-2", MOBILES_CRL, () => "not a CRL\n");
    expect(await findingsOf(certificateRevocationPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "CRL of the CA /etc/swanctl/x509ca/ibac-mobiles-ca.pem on vpn-2", observed: `${MOBILES_CRL}, which is not a PEM CRL`, location: MOBILES_CRL }),
    ]);
  });

  it("a MariaDB server without ssl_crl, and a replica without MASTER_SSL_CRL, fail", async () => {
    const server = editDeliveredFile(await stackResources("prod"), "db-1", SERVER_CNF, (t) => t.replace(/^ssl_crl = .*\n/m, ""));
    expect(await findingsOf(certificateRevocationPolicy(), server)).toEqual([
      expect.objectContaining({ subject: "revocation check of db-1's MariaDB", observed: "ssl_crl not set (a revoked client certificate is accepted)", location: SERVER_CNF }),
    ]);
    const replica = editDeliveredFile(await stackResources("prod"), "db-2", SETUP_SQL, (t) => t.replace(/^ {2}MASTER_SSL_CRL = .*\n/m, ""));
    expect(await findingsOf(certificateRevocationPolicy(), replica)).toEqual([
      expect.objectContaining({ subject: "revocation check by db-2's replication", observed: "MASTER_SSL_CRL not set (a revoked primary certificate is accepted)", location: `${SETUP_SQL}: CHANGE MASTER TO` }),
    ]);
  });

  it("ssl_crl naming a file the stack does not deliver fails", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "db-2", SERVER_CNF, (t) => t.replace("ssl_crl = /etc/mysql/tls/crl.pem", "ssl_crl = /etc/mysql/tls/other.pem"));
    expect(await findingsOf(certificateRevocationPolicy(), resources)).toEqual([
      expect.objectContaining({ observed: "ssl_crl = /etc/mysql/tls/other.pem, which the stack does not deliver to db-2" }),
    ]);
  });

  it.each(["staging", "lab"])("%s passes certificate-revocation", async (stack) => {
    expect(await findingsOf(certificateRevocationPolicy(), await stackResources(stack))).toEqual([]);
  });
});
