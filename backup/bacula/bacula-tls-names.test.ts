// Why every Bacula certificate carries its address as a DNS name (certificates.ts): a real director dials two
// real file daemons on loopback over TLS. The one whose certificate is issued as baculaCertificateRequests says
// (DNS names: its name and its address; IP SAN: its address) answers `status client`; the same daemon with a
// certificate naming its address only as an IP SAN is refused by the director's host check. Bookworm's Bacula
// 9.6; processes on 127.0.0.1 at free ports, stopped by PID. With `TLS Allowed CN` in the director's Client
// resource (rendered so), the director checks the name instead, and a wrong name is refused.
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireTool, runTool, describeRun } from "../../test/support/require-tool";
import { baculaStand, createCatalog, type BaculaStand } from "./bacula-test-stand";
import { baculaCertificateRequests, type BaculaCertificateRequest } from "./certificates";
import { tlsLines } from "./render-tls";

const LOOPBACK = "127.0.0.1";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, LOOPBACK, () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

function listening(port: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const socket = net.connect(port, LOOPBACK, () => { socket.destroy(); resolve(); });
      socket.on("error", () => { socket.destroy(); if (Date.now() > until) reject(new Error(`nothing listens on ${LOOPBACK}:${port}`)); else setTimeout(attempt, 100); });
    };
    attempt();
  });
}

describe("Bacula 9.6 checks a dialed daemon's certificate against the address by DNS name (live, loopback)", () => {
  let stand: BaculaStand;
  const children: ChildProcess[] = [];
  let bconsoleConf: string;
  let request: BaculaCertificateRequest;

  const openssl = (args: string[]): void => {
    const r = runTool(requireTool("openssl", "openssl"), args);
    if (r.status !== 0) throw new Error(describeRun(r));
  };
  /** A certificate from the stand's CA (its key is ca-key.pem beside it). */
  const issue = (file: string, commonName: string, san: string): { cert: string; key: string } => {
    const key = path.join(stand.dir, `${file}-key.pem`);
    const cert = path.join(stand.dir, `${file}.pem`);
    const csr = path.join(stand.dir, `${file}.csr`);
    const ext = path.join(stand.dir, `${file}.ext`);
    fs.writeFileSync(ext, `subjectAltName=${san}\nextendedKeyUsage=serverAuth,clientAuth\n`);
    openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", `/CN=${commonName}`]);
    openssl(["x509", "-req", "-in", csr, "-CA", stand.paths.tlsCaCertificate, "-CAkey", path.join(stand.dir, "ca-key.pem"), "-CAcreateserial", "-out", cert, "-days", "2", "-extfile", ext]);
    return { cert, key };
  };
  const start = (program: string, pkg: string, conf: string): void => {
    const child = spawn(requireTool(program, pkg), ["-f", "-c", conf], { stdio: "ignore" });
    children.push(child);
  };

  beforeAll(async () => {
    stand = baculaStand("lab");
    const plan = { ...stand.plan, director: { ...stand.plan.director, address: LOOPBACK }, clients: stand.plan.clients.map((c) => ({ ...c, address: LOOPBACK })) };
    const requests = baculaCertificateRequests(plan);
    request = requests.find((r) => r.client === plan.clients[0].name) as BaculaCertificateRequest;
    const director = requests.find((r) => r.role === "director") as BaculaCertificateRequest;
    const san = (r: BaculaCertificateRequest): string => [...r.dnsNames.map((d) => `DNS:${d}`), ...r.ipAddresses.map((a) => `IP:${a}`)].join(",");
    const dirCert = issue("live-director", director.commonName, san(director));
    const asPlanned = issue("live-fd-planned", request.commonName, san(request));
    const ipOnly = issue("live-fd-ip-only", request.commonName, [`DNS:${request.commonName}`, ...request.ipAddresses.map((a) => `IP:${a}`)].join(","));
    const [dirPort, fdPlanned, fdIpOnly] = [await freePort(), await freePort(), await freePort()];
    const password = "LiveTestPassword0123456789";
    const tls = (cert: { cert: string; key: string }): string => `TLS Enable = yes; TLS Require = yes; TLS CA Certificate File = "${stand.paths.tlsCaCertificate}"; TLS Certificate = "${cert.cert}"; TLS Key = "${cert.key}"`;
    const fdConf = (port: number, cert: { cert: string; key: string }, work: string): string => {
      fs.mkdirSync(work, { recursive: true });
      return `FileDaemon { Name = ${request.client}; FDAddresses = { ip = { addr = ${LOOPBACK}; port = ${port} } }; WorkingDirectory = "${work}"; Pid Directory = "${work}"; ${tls(cert)} }
Director { Name = ${plan.director.name}; Password = "${password}"; TLS Verify Peer = yes; TLS Allowed CN = "${director.commonName}"; ${tls(cert)} }
Messages { Name = Daemon; syslog = all, !skipped }
`;
    };
    start("bacula-fd", "bacula-fd", stand.write("live-fd-planned.conf", fdConf(fdPlanned, asPlanned, path.join(stand.dir, "fd-planned"))));
    start("bacula-fd", "bacula-fd", stand.write("live-fd-ip-only.conf", fdConf(fdIpOnly, ipOnly, path.join(stand.dir, "fd-ip-only"))));
    const work = plan.director.workingDirectory;
    createCatalog(plan.director.catalogFile);
    const client = (n: string, port: number, dialedCns?: string[]): string => {
      const files = { caCertificate: stand.paths.tlsCaCertificate, certificate: dirCert.cert, key: dirCert.key };
      // The director's Client resource as the renderer writes its TLS part (with or without the name check).
      return `Client {\n  Name = ${n}; Address = ${LOOPBACK}; FDPort = ${port}; Password = "${password}"; Catalog = c\n${tlsLines(dialedCns ? { files, dialedCns } : { files }, n).join("\n")}\n}`;
    };
    const dirConf = stand.write("live-dir.conf", `Director { Name = ${plan.director.name}; DirAddresses = { ip = { addr = ${LOOPBACK}; port = ${dirPort} } }; Password = "${password}"; WorkingDirectory = "${work}"; PidDirectory = "${work}"; Messages = m; QueryFile = "${stand.paths.queryFile}" }
Messages { Name = m; console = all }
Catalog { Name = c; dbname = "bacula"; dbuser = "bacula"; dbpassword = "" }
Pool { Name = p; Pool Type = Backup }
${client("planned", fdPlanned)}
${client("ip-only", fdIpOnly)}
${client("ip-only-by-name", fdIpOnly, [request.commonName])}
${client("ip-only-wrong-name", fdIpOnly, [`other-${request.commonName}`])}
Storage { Name = st; Address = ${LOOPBACK}; Password = "${password}"; Device = d; Media Type = File }
FileSet { Name = fs; Include { File = "${stand.dir}" } }
Job { Name = j; Type = Backup; Client = planned; FileSet = fs; Storage = st; Pool = p; Messages = m }
`);
    start("bacula-dir", "bacula-director bacula-director-sqlite3", dirConf);
    bconsoleConf = stand.write("live-bconsole.conf", `Director { Name = ${plan.director.name}; DIRport = ${dirPort}; Address = ${LOOPBACK}; Password = "${password}" }\n`);
    await Promise.all([listening(dirPort), listening(fdPlanned), listening(fdIpOnly)]);
  });

  afterAll(() => {
    for (const child of children) if (child.pid && child.exitCode === null) process.kill(child.pid, "SIGTERM");
    stand?.remove();
  });

  const console = (commands: string): string => {
    const r = runTool(requireTool("bconsole", "bacula-console"), ["-c", bconsoleConf], { input: `${commands}\nquit\n`, timeout: 60_000 });
    return r.stdout + r.stderr;
  };

  it("the certificate as baculaCertificateRequests names it (address as a DNS name too) is accepted", () => {
    expect(request.dnsNames).toEqual([request.commonName, LOOPBACK]);
    const out = console("status client=planned");
    expect(out).toContain("Director connected using TLS");
  });

  it("the same daemon with its address only as an IP SAN is refused by the host check", () => {
    const out = console("status client=ip-only\nmessages");
    expect(out).toContain("Failed to connect to Client ip-only");
    expect(out).toContain(`TLS host certificate verification failed. Host name "${LOOPBACK}" did not match presented certificate`);
  });

  it("with TLS Allowed CN in the director's Client resource (as rendered), the name is checked instead of the address", () => {
    expect(console("status client=ip-only-by-name")).toContain("Director connected using TLS");
    const out = console("status client=ip-only-wrong-name\nmessages");
    expect(out).toContain("Failed to connect to Client ip-only-wrong-name");
    expect(out).toContain("TLS certificate verification failed. Peer certificate did not match a required commonName");
  });
});
