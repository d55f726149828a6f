import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tlsFiles } from "../../components/database/paths";
import { requireTool } from "../support/require-tool";
import { makeServerCertificate, serialOf, signLabCrl } from "../lab/tls";
import { startDatabaseLab, type DatabaseLab, type LabHost, type RunResult } from "../lab/database-lab";

/**
 * The database servers' TLS as the rendered option file sets it, under real mariadbd (the lab: bookworm's
 * MariaDB 10.11 and OpenSSL 3.0), probed from the lab's control namespace: the suites offered are exactly the
 * rendered ones and all fit the servers' ECDSA P-384 keys (sslscan, openssl s_client), and a client or primary
 * certificate in the CA's CRL (signed by the toolkit's own script) is refused (ssl_crl, MASTER_SSL_CRL).
 */
describe("MariaDB TLS from the rendered files: suites fit the ECDSA key, revoked certificates are refused (real mariadbd in the lab)", () => {
  let lab: DatabaseLab;
  let primary: LabHost;
  let replica: LabHost;
  let openssl = "";
  let sslscan = "";
  let mariadb = "";
  let tls12: string[] = [];
  let tls13: string[] = [];

  beforeAll(async () => {
    openssl = requireTool("openssl", "openssl");
    sslscan = requireTool("sslscan", "sslscan");
    mariadb = requireTool("mariadb", "mariadb-client");
    lab = await startDatabaseLab();
    [primary, replica] = lab.hosts;
    // The suites as the rendered file names them (the lab's server.cnf is the production rendering).
    const cnf = fs.readFileSync(primary.paths.serverCnf, "utf8");
    const suites = (/^ssl_cipher = (.*)$/m.exec(cnf)?.[1] ?? "").split(":").filter(Boolean);
    tls13 = suites.filter((s) => s.startsWith("TLS_"));
    tls12 = suites.filter((s) => !s.startsWith("TLS_"));
    expect(cnf).toContain(`ssl_crl = ${tlsFiles(primary.paths).crl}\n`);
  }, 240_000);

  afterAll(async () => {
    if (lab) await lab.stop();
  });

  const endpoint = (): string => `${primary.address}:${lab.topology.port}`;

  async function sClient(args: readonly string[]): Promise<RunResult> {
    return lab.runInControl([openssl, "s_client", "-starttls", "mysql", "-connect", endpoint(), "-CAfile", lab.caFile, "-verify_return_error", ...args], { input: "Q\n", timeoutMs: 15_000 });
  }

  it("sslscan: the server offers exactly the rendered suites, TLS 1.2 and 1.3 only, all ECDSA", async () => {
    const r = await lab.runInControl([sslscan, "--no-colour", "--xml=-", "--starttls-mysql", "--no-heartbleed", "--no-renegotiation", "--no-compression", "--no-fallback", endpoint()], { timeoutMs: 120_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const accepted = [...r.stdout.matchAll(/<cipher status="(?:accepted|preferred)" sslversion="([^"]+)"[^>]*cipher="([^"]+)"/g)].map((m) => ({ version: m[1], cipher: m[2] }));
    expect(accepted.length, r.stdout).toBeGreaterThan(0);
    expect(new Set(accepted.map((a) => a.version))).toEqual(new Set(["TLSv1.2", "TLSv1.3"]));
    expect(accepted.filter((a) => a.version === "TLSv1.2").map((a) => a.cipher).sort()).toEqual([...tls12].sort());
    expect(accepted.filter((a) => a.version === "TLSv1.3").map((a) => a.cipher).sort()).toEqual([...tls13].sort());
    expect(tls12.every((c) => c.startsWith("ECDHE-ECDSA-")), tls12.join(":")).toBe(true);
    expect(r.stdout).toMatch(/<pk [^>]*type="EC"[^>]*curve_name="secp384r1"/);
  });

  it("openssl s_client: every rendered suite completes a verified handshake at its TLS version", async () => {
    for (const suite of tls12) {
      const r = await sClient(["-tls1_2", "-cipher", suite]);
      expect(r.stdout, `${suite}\n${r.stdout}${r.stderr}`).toMatch(new RegExp(`Cipher is ${suite}\\b`));
      expect(r.stdout).toContain("Verify return code: 0 (ok)");
    }
    for (const suite of tls13) {
      const r = await sClient(["-tls1_3", "-ciphersuites", suite]);
      expect(r.stdout, `${suite}\n${r.stdout}${r.stderr}`).toMatch(new RegExp(`Cipher is ${suite}\\b`));
    }
  });

  it("openssl s_client: the seed's ECDHE-RSA suites find nothing to negotiate on the ECDSA key", async () => {
    for (const suite of tls12.map((s) => s.replace("ECDHE-ECDSA-", "ECDHE-RSA-"))) {
      const r = await sClient(["-tls1_2", "-cipher", suite]);
      expect(r.stdout + r.stderr, suite).toMatch(/handshake failure|no shared cipher|Cipher is \(NONE\)/);
      expect(r.stdout).not.toMatch(new RegExp(`Cipher is ${suite}\\b`));
    }
  });

  it("ssl_crl: a client certificate the CA revoked is refused in the handshake, another one of the same CA is accepted", async () => {
    const dir = path.join(lab.root, "clients");
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const client = (name: string) => ({ commonName: name, dnsNames: [name], ipAddresses: [], certFile: path.join(dir, `${name}.pem`), keyFile: path.join(dir, `${name}-key.pem`) });
    const good = client("api-1.lab.example");
    const revoked = client("api-2.lab.example");
    await makeServerCertificate(lab.ca, good, openssl);
    await makeServerCertificate(lab.ca, revoked, openssl);
    const connect = (c: { certFile: string; keyFile: string }) => lab.runInControl([
      mariadb, "--no-defaults", "-h", primary.address, "-P", String(lab.topology.port), "--protocol=TCP", "--ssl", `--ssl-ca=${lab.caFile}`, "--ssl-verify-server-cert",
      `--ssl-cert=${c.certFile}`, `--ssl-key=${c.keyFile}`, "--connect-timeout=5", "-u", "ibac_app", `--password=${lab.passwords.application}`, "-N", "-B", "-e", "SELECT 'connected'",
    ]);
    // Before the revocation both connect: the check below can fail.
    for (const c of [good, revoked]) {
      const r = await connect(c);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe("connected");
    }
    await signLabCrl(lab.ca, [{ issuer: "platform", serial: await serialOf(revoked.certFile, openssl), revokedOn: "2026-11-30", reason: "keyCompromise" }], tlsFiles(primary.paths).crl);
    // A changed CRL restarts the server (the setup script hashes it with the rest of the TLS files).
    await lab.stopServer(primary);
    await lab.startServer(primary);
    const refused = await connect(revoked);
    expect(refused.code, refused.stdout).not.toBe(0);
    // Under TLS 1.3 the client learns it only as a reset after its Finished; at TLS 1.2 the server's alert
    // names the reason.
    expect(refused.stderr).toMatch(/Lost connection|SSL|TLS|certificate revoked/i);
    const probe = (c: { certFile: string; keyFile: string }) => sClient(["-tls1_2", "-cert", c.certFile, "-key", c.keyFile]);
    const alert = await probe(revoked);
    expect(alert.stdout + alert.stderr).toMatch(/alert certificate revoked/);
    const accepted = await probe(good);
    expect(accepted.stdout + accepted.stderr, accepted.stderr).not.toMatch(/alert/);
    expect(accepted.stdout).toContain("Verify return code: 0 (ok)");
    const ok = await connect(good);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout.trim()).toBe("connected");
  });

  it("MASTER_SSL_CRL: the replica refuses a primary whose certificate the CA revoked", async () => {
    const status = async () => lab.slaveStatus(replica);
    const waitFor = async (done: (s: Record<string, string>) => boolean): Promise<Record<string, string>> => {
      let s = await status();
      for (let i = 0; i < 100 && !done(s); i++) {
        await new Promise((r) => setTimeout(r, 200));
        s = await status();
      }
      return s;
    };
    const running = await waitFor((s) => s.Slave_IO_Running === "Yes");
    expect(running.Slave_IO_Running, JSON.stringify(running)).toBe("Yes");
    await signLabCrl(lab.ca, [{ issuer: "platform", serial: await serialOf(tlsFiles(primary.paths).cert, openssl), revokedOn: "2026-11-30", reason: "keyCompromise" }], tlsFiles(replica.paths).crl);
    await lab.sql(replica, "STOP SLAVE IO_THREAD; START SLAVE IO_THREAD;");
    const refused = await waitFor((s) => s.Slave_IO_Running !== "Yes" && /SSL|TLS|certificate/i.test(s.Last_IO_Error ?? ""));
    expect(refused.Slave_IO_Running, JSON.stringify(refused)).not.toBe("Yes");
    expect(refused.Last_IO_Error, JSON.stringify(refused)).toMatch(/SSL|TLS|certificate/i);
    // Back to the CRL without that entry: the replica reconnects.
    await signLabCrl(lab.ca, [], tlsFiles(replica.paths).crl);
    await lab.sql(replica, "STOP SLAVE IO_THREAD; START SLAVE IO_THREAD;");
    expect((await waitFor((s) => s.Slave_IO_Running === "Yes")).Slave_IO_Running).toBe("Yes");
  });
});
