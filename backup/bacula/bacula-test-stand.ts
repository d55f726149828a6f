// For the Bacula tests only: the stacks' plans rendered against a paths table below a temporary directory, with
// throwaway certificates, keys and PKI keypairs made by openssl there, so that Bacula's own `-t` checks open
// real files. Nothing here is used by the toolkit itself.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadStackFile, stackFilePath } from "../../components/spec/load";
import { requireTool, runTool, describeRun } from "../../test/support/require-tool";
import type { BaculaPlan } from "./bacula-plan";
import { deriveBaculaPlan } from "./derive-bacula-plan";
import { PRODUCTION_BACULA_PATHS, tlsFilesFor, type BaculaPaths, type BaculaTlsRole } from "./paths";
import type { BaculaSecrets } from "./secrets";
import { baculaSecretNames } from "./secrets";
import type { RotationPlan } from "../rotation/types";
import { photoRotation } from "../rotation/hanoi-plan";

const projectDir = path.resolve(__dirname, "../..");

export interface BaculaStand {
  dir: string;
  paths: BaculaPaths;
  plan: BaculaPlan;
  secrets: BaculaSecrets;
  /** Writes `content` at `file` (below dir) and returns the absolute path. */
  write: (file: string, content: string) => string;
  remove: () => void;
}

/** The production table with every path moved below `root` (Debian's query.sql stays: the package ships it). */
export function pathsBelow(root: string): BaculaPaths {
  const moved = Object.fromEntries(Object.entries(PRODUCTION_BACULA_PATHS).map(([k, v]) => [k, k === "queryFile" ? v : `${root}${v}`]));
  return moved as unknown as BaculaPaths;
}

/** Passwords like the component's (random letters and digits), fixed so a failure is reproducible. */
export function testSecrets(plan: BaculaPlan): BaculaSecrets {
  const pw = (n: string): string => `Test${n.replace(/[^A-Za-z0-9]/g, "")}Password0123456789`;
  const names = baculaSecretNames(plan);
  return {
    directorPassword: pw(names[0]),
    consolePassword: pw(names[1]),
    storagePassword: pw(names[2]),
    clientPasswords: Object.fromEntries(plan.clients.map((c) => [c.name, pw(c.name)])),
  };
}

function openssl(args: string[]): void {
  const result = runTool(requireTool("openssl", "openssl"), args);
  if (result.status !== 0) throw new Error(describeRun(result));
}

/** A self-signed key and certificate (RSA 2048: throwaway, fast). */
function keyAndCert(keyFile: string, certFile: string, cn: string): void {
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "2", "-subj", `/CN=${cn}`]);
}

/**
 * A stand for `stack`: plan (with the stack's own Hanoi rotation unless `rotation` is given), paths below a
 * fresh temporary directory, and every file the daemons open.
 */
export function baculaStand(stack: "prod" | "staging" | "lab", rotation?: RotationPlan): BaculaStand {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-bacula-"));
  const paths = pathsBelow(dir);
  const loaded = loadStackFile(stackFilePath(projectDir, stack));
  const plan = deriveBaculaPlan(loaded.spec, loaded.model, rotation ?? photoRotation(loaded.spec.backupPolicy.photos), paths);
  const secrets = testSecrets(plan);
  for (const d of [paths.tlsDir, path.dirname(paths.pkiKeypair), plan.director.workingDirectory, plan.storageDaemon.workingDirectory, paths.volumeDirectory, paths.nasMountPoint, paths.fileDaemonWorkingDirectory, paths.pidDirectory, paths.configDir]) {
    fs.mkdirSync(d, { recursive: true });
  }
  keyAndCert(path.join(dir, "ca-key.pem"), paths.tlsCaCertificate, "test CA");
  for (const role of ["director", "storage", "fileDaemon", "console"] as BaculaTlsRole[]) {
    const files = tlsFilesFor(paths, role);
    keyAndCert(files.key, files.certificate, role);
  }
  const pkiKey = path.join(dir, "pki-key.pem");
  const pkiCert = path.join(dir, "pki-cert.pem");
  keyAndCert(pkiKey, pkiCert, "fd keypair");
  fs.writeFileSync(paths.pkiKeypair, fs.readFileSync(pkiCert, "utf8") + fs.readFileSync(pkiKey, "utf8"), { mode: 0o600 });
  fs.writeFileSync(paths.pkiMasterCertificate, loaded.spec.backupPolicy.encryption.masterCertificate);
  const write = (file: string, content: string): string => {
    const abs = path.join(dir, file);
    fs.writeFileSync(abs, content, { mode: 0o600 });
    return abs;
  };
  return { dir, paths, plan, secrets, write, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The Debian packages of Bacula 9.6's programs (bookworm), for the message when one is missing. */
const PACKAGES: Record<string, string> = {
  "bacula-dir": "bacula-director bacula-director-sqlite3",
  bdirjson: "bacula-director",
  "bacula-sd": "bacula-sd",
  bsdjson: "bacula-sd",
  "bacula-fd": "bacula-fd",
  bfdjson: "bacula-fd",
  bconsole: "bacula-console",
  sqlite3: "sqlite3",
};

/** Runs a Bacula program on a configuration file, always by its absolute path (a relative -c reads /etc/bacula). */
export function bacula(program: keyof typeof PACKAGES, args: readonly string[], conf: string): ReturnType<typeof runTool> {
  if (!path.isAbsolute(conf)) throw new Error(`bacula test: ${conf}: expected an absolute path (a relative -c silently checks /etc/bacula)`);
  return runTool(requireTool(program, PACKAGES[program]), [...args, "-c", conf], { timeout: 30_000 });
}

/** An empty SQLite catalog with Debian's schema (the SQL of make_sqlite3_tables, without its fixed directory). */
export function createCatalog(file: string): void {
  const script = "/usr/share/bacula-director/make_sqlite3_tables";
  if (!fs.existsSync(script)) throw new Error(`${script} is missing: apt-get install -y --no-install-recommends bacula-director-sqlite3`);
  const sql = /<<END-OF-DATA\n([\s\S]*?)\nEND-OF-DATA/.exec(fs.readFileSync(script, "utf8"))?.[1];
  if (!sql) throw new Error(`${script}: expected the schema between <<END-OF-DATA and END-OF-DATA`);
  const result = runTool(requireTool("sqlite3", PACKAGES.sqlite3), [file], { input: sql });
  if (result.status !== 0) throw new Error(describeRun(result));
}

/** bdirjson/bsdjson/bfdjson's JSON (bdirjson -r prints one resource; the others an array of resources). */
export function baculaJson(program: "bdirjson" | "bsdjson" | "bfdjson", args: readonly string[], conf: string): unknown {
  const result = bacula(program, args, conf);
  if (result.status !== 0) throw new Error(describeRun(result));
  return JSON.parse(result.stdout);
}

/**
 * Replaces the stand's self-signed TLS files by certificates from the stand's CA as baculaCertificateRequests
 * names them (the file daemon's for `client`), for tests where the daemons really talk.
 */
export function issueStandCertificates(stand: BaculaStand, client: string, requests: readonly { role: BaculaTlsRole; client?: string; commonName: string; dnsNames: string[]; ipAddresses: string[] }[]): void {
  for (const r of requests) {
    if (r.role === "fileDaemon" && r.client !== client) continue;
    const files = tlsFilesFor(stand.paths, r.role);
    const csr = path.join(stand.dir, `${r.role}.csr`);
    const ext = path.join(stand.dir, `${r.role}.ext`);
    fs.writeFileSync(ext, `subjectAltName=${[...r.dnsNames.map((d) => `DNS:${d}`), ...r.ipAddresses.map((a) => `IP:${a}`)].join(",")}\nextendedKeyUsage=serverAuth,clientAuth\n`);
    openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", files.key, "-out", csr, "-subj", `/CN=${r.commonName}`]);
    openssl(["x509", "-req", "-in", csr, "-CA", stand.paths.tlsCaCertificate, "-CAkey", path.join(stand.dir, "ca-key.pem"), "-CAcreateserial", "-out", files.certificate, "-days", "2", "-extfile", ext]);
  }
}
