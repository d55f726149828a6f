import { describe, expect, it } from "vitest";
import { findingsOf, mutate, mutatePlatform, stackResources, editDeliveredFile } from "../../test/fixtures/policy-fixture";
import { tlsProtocolVersionsPolicy } from "./tls-protocol-versions";
import { tlsCipherSuitesPolicy } from "./tls-cipher-suites";
import { tlsPeerVerificationPolicy } from "./tls-peer-verification";
import { PROVIDER_TYPES, RESOURCE_TYPES } from "../../components/resource-types";

const SERVER_CNF = "/etc/mysql/mariadb.conf.d/60-ibac.cnf";
const SETUP_SQL = "/etc/mysql/ibac-setup.sql";
const MOBILES = "/etc/swanctl/conf.d/ibac-mobiles.conf";
const isProvider = (r: { type: string }) => r.type === PROVIDER_TYPES.Proxmox;

describe("TLS policies on the prod stack's offline plan (pulumi.runtime.setMocks, not a deployment)", () => {
  it("tls-protocol-versions: prod passes; TLS 1.0 allowed by db-1's MariaDB fails, naming the file", async () => {
    expect(await findingsOf(tlsProtocolVersionsPolicy(), await stackResources("prod"))).toEqual([]);
    const resources = editDeliveredFile(await stackResources("prod"), "db-1", SERVER_CNF, (t) => t.replace("tls_version = TLSv1.2,TLSv1.3", "tls_version = TLSv1,TLSv1.1,TLSv1.2,TLSv1.3"));
    const findings = await findingsOf(tlsProtocolVersionsPolicy(), resources);
    expect(findings).toEqual([
      expect.objectContaining({
        subject: "TLS protocols of db-1's MariaDB",
        observed: "tls_version = TLSv1,TLSv1.1,TLSv1.2,TLSv1.3 (TLSv1, TLSv1.1 not allowed)",
        expected: "tls_version = TLSv1.2,TLSv1.3 (nothing older than TLS 1.2)",
        location: `${SERVER_CNF} [mysqld]`,
      }),
    ]);
    expect(findings[0].urn).toContain("db-1-config-copy-etc-mysql-mariadb-conf-d-60-ibac-cnf");
  });

  it("tls-protocol-versions: TLS 1.0 in the spec fails, and so does a provider that accepts it", async () => {
    const spec = mutatePlatform(await stackResources("prod"), (p) => { p.spec.tls.minVersion = "1.0"; });
    expect(await findingsOf(tlsProtocolVersionsPolicy(), spec)).toEqual([
      expect.objectContaining({ subject: "minimum TLS version in the spec", observed: 'minVersion: "1.0"', location: "spec.tls.minVersion" }),
    ]);
    const provider = mutate(await stackResources("prod"), isProvider, (r) => { r.props.minTls = "1.0"; });
    expect(await findingsOf(tlsProtocolVersionsPolicy(), provider)).toEqual([
      expect.objectContaining({ subject: "minimum TLS version of the Proxmox API calls", observed: 'minTls: "1.0"', expected: 'minTls "1.2" or "1.3"', location: "inputs.minTls" }),
    ]);
  });

  it("tls-protocol-versions: a MariaDB server with TLS but no tls_version fails", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "db-2", SERVER_CNF, (t) => t.replace(/^tls_version = .*\n/m, ""));
    expect(await findingsOf(tlsProtocolVersionsPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "TLS protocols of db-2's MariaDB", observed: "tls_version not set (the server's built-in default protocols)", location: SERVER_CNF }),
    ]);
  });

  it("tls-cipher-suites: prod passes; an AES-128 CBC suite in MariaDB's ssl_cipher fails", async () => {
    expect(await findingsOf(tlsCipherSuitesPolicy(), await stackResources("prod"))).toEqual([]);
    const resources = editDeliveredFile(await stackResources("prod"), "db-2", SERVER_CNF, (t) => t.replace("ssl_cipher = ", "ssl_cipher = ECDHE-RSA-AES128-SHA256:"));
    expect(await findingsOf(tlsCipherSuitesPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "TLS cipher suites of db-2's MariaDB", observed: "ECDHE-RSA-AES128-SHA256 in ssl_cipher", location: `${SERVER_CNF} [mysqld]` }),
    ]);
  });

  it("tls-cipher-suites: prod's servers offer only ECDSA suites; an ECDHE-RSA suite on db-1's ECDSA key fails", async () => {
    const resources = editDeliveredFile(await stackResources("prod"), "db-1", SERVER_CNF, (t) => t.replace("ssl_cipher = ", "ssl_cipher = ECDHE-RSA-AES256-GCM-SHA384:"));
    expect(await findingsOf(tlsCipherSuitesPolicy(), resources)).toEqual([
      expect.objectContaining({
        subject: "TLS cipher suites of db-1's MariaDB",
        observed: "ECDHE-RSA-AES256-GCM-SHA384 in ssl_cipher, which an ECDSA key cannot serve",
        expected: "TLS 1.2 suites that authenticate with the server's ECDSA key (ECDHE-ECDSA-*)",
        location: `${SERVER_CNF} [mysqld]`,
      }),
    ]);
  });

  it("tls-cipher-suites: the same ECDSA suites on a server whose key is RSA fail", async () => {
    const resources = mutate(await stackResources("prod"), (r) => r.type === RESOURCE_TYPES.PrivateKey && r.name.endsWith("-db-2-tls-key"), (r) => { r.props.algorithm = "RSA"; delete r.props.ecdsaCurve; });
    expect(await findingsOf(tlsCipherSuitesPolicy(), resources)).toEqual([
      expect.objectContaining({
        subject: "TLS cipher suites of db-2's MariaDB",
        observed: "ECDHE-ECDSA-AES256-GCM-SHA384, ECDHE-ECDSA-CHACHA20-POLY1305 in ssl_cipher, which an RSA key cannot serve",
      }),
    ]);
  });

  it("tls-cipher-suites: a non-ECDHE suite in the spec fails", async () => {
    const resources = mutatePlatform(await stackResources("prod"), (p) => { p.spec.tls.ciphers.push("AES256-GCM-SHA384"); });
    expect(await findingsOf(tlsCipherSuitesPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "TLS 1.2 cipher suites in the spec", observed: '"AES256-GCM-SHA384"', location: "spec.tls.ciphers[4]" }),
    ]);
  });

  it("tls-peer-verification: prod passes; an insecure Proxmox provider fails", async () => {
    expect(await findingsOf(tlsPeerVerificationPolicy(), await stackResources("prod"))).toEqual([]);
    const resources = mutate(await stackResources("prod"), isProvider, (r) => { r.props.insecure = "true"; });
    const findings = await findingsOf(tlsPeerVerificationPolicy(), resources);
    expect(findings).toEqual([
      expect.objectContaining({ subject: "certificate verification of the Proxmox API calls", observed: "insecure: true", expected: "insecure: false", location: "inputs.insecure" }),
    ]);
    expect(findings[0].urn).toContain(PROVIDER_TYPES.Proxmox);
  });

  it("tls-peer-verification: a replica without the primary's CA, and a gateway that accepts any CA, fail", async () => {
    const replica = editDeliveredFile(await stackResources("prod"), "db-2", SETUP_SQL, (t) => t.replace("  MASTER_SSL_CA = '/etc/mysql/tls/ca.pem',\n", ""));
    expect(await findingsOf(tlsPeerVerificationPolicy(), replica)).toEqual([
      expect.objectContaining({ subject: "certificate verification by db-2's replication", observed: "MASTER_SSL_CA not set", location: `${SETUP_SQL}: CHANGE MASTER TO` }),
    ]);
    const gateway = editDeliveredFile(await stackResources("prod"), "vpn-2", MOBILES, (t) => t.replace(/(remote \{\n(?:.*\n)*?)\s+cacerts = .*\n/, "$1"));
    expect(await findingsOf(tlsPeerVerificationPolicy(), gateway)).toEqual([
      expect.objectContaining({
        subject: "peer authentication of IPsec connection ibac-mobiles on vpn-2",
        observed: "cacerts not set (a certificate from any loaded CA is accepted)",
        location: `${MOBILES}: connections.ibac-mobiles.remote`,
      }),
    ]);
  });

  it("declares the names and requirement ids the catalogue refers to", () => {
    expect([tlsProtocolVersionsPolicy(), tlsCipherSuitesPolicy(), tlsPeerVerificationPolicy()].map(({ name, requirements, severity, enforcementLevel }) => ({ name, requirements, severity, enforcementLevel }))).toEqual([
      { name: "tls-protocol-versions", requirements: ["IBAC-TLS-001"], severity: "critical", enforcementLevel: "mandatory" },
      { name: "tls-cipher-suites", requirements: ["IBAC-TLS-002"], severity: "high", enforcementLevel: "mandatory" },
      { name: "tls-peer-verification", requirements: ["IBAC-TLS-003"], severity: "high", enforcementLevel: "mandatory" },
    ]);
  });

  it.each(["staging", "lab"])("%s passes every TLS policy", async (stack) => {
    const resources = await stackResources(stack);
    for (const policy of [tlsProtocolVersionsPolicy(), tlsCipherSuitesPolicy(), tlsPeerVerificationPolicy()]) {
      expect(await findingsOf(policy, resources), policy.name).toEqual([]);
    }
  });
});
