import type { PolicyResource } from "@pulumi/policy";
import { deliveredFiles } from "../kit/rendered-files";
import { pendingFiles, isDelivered, fileKey } from "../kit/pending-files";
import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { vmUrn } from "../kit/platform-view";
import { RESOURCES } from "../../components/resource-types";
import { MINIO_ENV_FILE } from "../../components/storage/minio-paths";
import { MINIO_PORT } from "../../components/storage/tier";
import { S3_HAPROXY_CONFIG } from "../../components/storage/s3-haproxy-paths";
import { haproxyFacts, type BindFact } from "../../components/storage/s3-haproxy-facts";
import { ALLOWED_TLS12, ALLOWED_TLS13 } from "../tls/tls-cipher-suites";
import type { DeliveredFile } from "../kit/rendered-files";
import type { ReportViolation } from "@pulumi/policy";
import { envValues, installedModes, optionValue, resourcesOf } from "./object-store-evidence";

/** Whether a private key's mode keeps it secret: others have no bit at all, a group may at most read it (0600, 0640, 0400, 0440). */
const keyModeSafe = (mode: string): boolean => (parseInt(mode, 8) & 0o037) === 0;

/**
 * The certificate the stack issues for a server name (the internal CA's `issueServerCertificate`: a CertRequest
 * `<name>-csr` naming it, signed by `<name>-cert`), with the CA certificate it was signed with.
 */
function issuedFor(resources: readonly PolicyResource[], serverName: string): { caCertPem: unknown } | undefined {
  const request = resourcesOf(resources, RESOURCES.CertRequest).find((r) => Array.isArray(r.props.dnsNames) && r.props.dnsNames.includes(serverName));
  if (!request) return undefined;
  const cert = resourcesOf(resources, RESOURCES.LocallySignedCert).find((r) => r.name === request.name.replace(/-csr$/, "-cert"));
  return cert ? { caCertPem: cert.props.caCertPem } : undefined;
}

/**
 * Seed design, "Photo and Logging Storage", with the toolkit's rule that every service endpoint is TLS: MinIO
 * on each storage VM serves S3 over TLS only. Its env file gives `--certs-dir`, to which the stack delivers
 * `public.crt`, `private.key` (never readable by others) and the internal CA under `CAs/`; MINIO_SERVER_URL,
 * the name clients verify, is https; the server's certificate is the one the internal CA issued for that name.
 *
 * MinIO's own TLS suites are fixed by its build (AES-128 among them), so clients must never reach it: it is
 * bound to the loopback (`--address 127.x.x.x:port`), and HAProxy (`/etc/haproxy/ibac-s3.cfg`) serves the
 * service address and port with TLS whose suites are all allowed ones (IBAC-TLS-002's list) from TLS 1.2 up,
 * forwarding to exactly MinIO's loopback address with `ssl`, verification required, the internal CA that signed
 * MinIO's certificate as `ca-file` and the service's name as `verifyhost`.
 */
export function objectStoreTlsPolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "object-store-tls",
    description:
      "MinIO on each storage VM serves TLS only: --certs-dir names a directory the stack fills with public.crt, private.key (mode 0600 or 0640) and the internal CA under CAs/, MINIO_SERVER_URL is https, and the certificate is the internal CA's for that name. MinIO listens on the loopback only; HAProxy serves the service address with allowed suites from TLS 1.2 up and re-encrypts to MinIO with its certificate verified against the internal CA and the service's name.",
    requirements: ["IBAC-STO-001"],
    severity: "high",
    enforcementLevel: "mandatory",
  }, async (view, resources, report) => {
    const files = await deliveredFiles(resources, view.model);
    const pending = await pendingFiles(resources, view.model);
    const modes = installedModes(resources, view.model);
    for (const vm of view.model.vms.filter((v) => v.tier === "objectStore")) {
      const env = files.find((f) => f.vm === vm.name && f.path === MINIO_ENV_FILE);
      const subject = `MinIO's TLS on ${vm.name}`;
      if (!env) {
        if (!isDelivered(files, pending, vm.name, MINIO_ENV_FILE)) reportFinding(report, { subject, observed: "no MinIO environment file delivered", expected: `${MINIO_ENV_FILE} with --certs-dir and an https MINIO_SERVER_URL`, urn: vmUrn(resources, vm.name, view.urn), location: MINIO_ENV_FILE });
        continue;
      }
      const values = envValues(env.content);
      const certsDir = optionValue(values.get("MINIO_OPTS") ?? "", "--certs-dir");
      const url = values.get("MINIO_SERVER_URL");
      if (!url?.startsWith("https://")) {
        reportFinding(report, { subject, observed: url ? `MINIO_SERVER_URL=${url}` : "no MINIO_SERVER_URL", expected: "MINIO_SERVER_URL=https://<the name in MinIO's certificate>", urn: env.urn, location: `${MINIO_ENV_FILE}: MINIO_SERVER_URL` });
      }
      if (!certsDir) {
        reportFinding(report, { subject, observed: "MINIO_OPTS without --certs-dir (MinIO serves plain HTTP)", expected: "--certs-dir naming the directory with public.crt and private.key", urn: env.urn, location: `${MINIO_ENV_FILE}: MINIO_OPTS` });
        continue;
      }
      const missing = (path: string): void => reportFinding(report, { subject, observed: `${path} not delivered`, expected: `${path} delivered by the stack (--certs-dir ${certsDir})`, urn: vmUrn(resources, vm.name, view.urn), location: path });
      const crt = `${certsDir}/public.crt`;
      const key = `${certsDir}/private.key`;
      if (!isDelivered(files, pending, vm.name, crt)) missing(crt);
      if (!isDelivered(files, pending, vm.name, key)) missing(key);
      else {
        const installed = modes.get(fileKey(vm.name, key));
        if (!installed || !keyModeSafe(installed.mode)) {
          reportFinding(report, { subject, observed: installed ? `${key} installed with mode ${installed.mode}` : `no install command for ${key}, so its mode is unknown`, expected: "mode 0600 or 0640 (the key never readable by others)", urn: installed?.urn ?? vmUrn(resources, vm.name, view.urn), location: key });
        }
      }
      const caDir = `${certsDir}/CAs/`;
      const cas = files.filter((f) => f.vm === vm.name && f.path.startsWith(caDir));
      const casPending = [...pending].some((k) => k.startsWith(fileKey(vm.name, caDir)));
      if (!cas.length && !casPending) {
        missing(`${caDir}<the internal CA>.pem`);
        continue;
      }
      const host = url ? /^https:\/\/([^/:]+)/.exec(url)?.[1] : undefined;
      const issued = host ? issuedFor(resources, host) : undefined;
      if (host && !issued) {
        reportFinding(report, { subject, observed: `no certificate of the internal CA for ${host}`, expected: `a certificate the internal CA issues for ${host} (its MINIO_SERVER_URL)`, urn: env.urn, location: `${MINIO_ENV_FILE}: MINIO_SERVER_URL` });
      } else if (issued && typeof issued.caCertPem === "string" && cas.length && !cas.some((f) => f.content === issued.caCertPem)) {
        reportFinding(report, { subject, observed: `${caDir} holds no copy of the CA that signed MinIO's certificate`, expected: "the internal CA's certificate under CAs/ (what MinIO and its peers verify against)", urn: cas[0].urn, location: caDir });
      }
    }
    for (const vm of view.model.vms.filter((v) => v.tier === "objectStore")) {
      const env = files.find((f) => f.vm === vm.name && f.path === MINIO_ENV_FILE);
      if (!env) continue;
      const values = envValues(env.content);
      const url = values.get("MINIO_SERVER_URL");
      const host = url ? /^https:\/\/([^/:]+)/.exec(url)?.[1] : undefined;
      const proxy: ProxyEvidence = {
        vm: vm.name, env, files, pending, report, vmUrn: vmUrn(resources, vm.name, view.urn),
        serviceAddress: view.model.virtualIps.objectStore, serverName: host,
        caPem: host ? issuedFor(resources, host)?.caCertPem : undefined,
        minioAddress: optionValue(values.get("MINIO_OPTS") ?? "", "--address"),
      };
      judgeS3Proxy(proxy);
    }
  });
}

interface ProxyEvidence {
  vm: string;
  env: DeliveredFile;
  files: readonly DeliveredFile[];
  pending: ReadonlySet<string>;
  report: ReportViolation;
  vmUrn: string;
  /** The object store's virtual address (model.virtualIps.objectStore), where clients connect. */
  serviceAddress: string;
  /** The host of MINIO_SERVER_URL: the name HAProxy must verify MinIO's certificate against. */
  serverName?: string;
  /** The CA certificate that signed MinIO's certificate, as the stack holds it. */
  caPem?: unknown;
  /** MINIO_OPTS' --address. */
  minioAddress?: string;
}

const LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}:\d{1,5}$/;
const FLOORS = ["TLSv1.2", "TLSv1.3"];

function bindProblems(bind: BindFact): string[] {
  const problems: string[] = [];
  if (!bind.ssl) return ["no ssl on the bind (plain TCP to the S3 port)"];
  const bad = [...bind.tls12.filter((c) => !ALLOWED_TLS12.test(c)), ...bind.tls13.filter((c) => !ALLOWED_TLS13.includes(c))];
  if (bad.length) problems.push(`suites outside the policy: ${bad.join(", ")}`);
  if (bind.tls12.length === 0) problems.push("no TLS 1.2 suite list (OpenSSL's defaults, AES-128 and CBC among them)");
  if (bind.tls13.length === 0) problems.push("no TLS 1.3 suite list (OpenSSL's default offers TLS_AES_128_GCM_SHA256)");
  if (!bind.minVersion || !FLOORS.includes(bind.minVersion)) problems.push(bind.minVersion ? `ssl-min-ver ${bind.minVersion}` : "no ssl-min-ver (the floor is OpenSSL's, not the policy's)");
  return problems;
}

/** MinIO on the loopback only, HAProxy's TLS on the service address with the policy's suites, verified re-encryption. */
function judgeS3Proxy(e: ProxyEvidence): void {
  const subject = `S3 TLS on ${e.vm}`;
  const where = `${e.serviceAddress}:${MINIO_PORT}`;
  if (!e.minioAddress || !LOOPBACK.test(e.minioAddress)) {
    reportFinding(e.report, {
      subject,
      observed: e.minioAddress ? `MinIO listens on ${e.minioAddress}` : "MINIO_OPTS without --address (MinIO listens on every address)",
      expected: "--address 127.0.0.1:<port>: MinIO's own TLS (suites fixed by its build, AES-128 among them) reachable only through HAProxy",
      urn: e.env.urn, location: `${MINIO_ENV_FILE}: MINIO_OPTS`,
    });
  }
  const cfg = e.files.find((f) => f.vm === e.vm && f.path === S3_HAPROXY_CONFIG);
  if (!cfg) {
    if (!isDelivered(e.files, e.pending, e.vm, S3_HAPROXY_CONFIG)) reportFinding(e.report, { subject, observed: "no HAProxy config delivered", expected: `${S3_HAPROXY_CONFIG}: TLS with the policy's suites on ${where}, in front of MinIO`, urn: e.vmUrn, location: S3_HAPROXY_CONFIG });
    return;
  }
  const facts = haproxyFacts(cfg.content);
  const front = facts.frontends.find((f) => f.binds.some((b) => b.address === e.serviceAddress && b.port === MINIO_PORT));
  const bind = front?.binds.find((b) => b.address === e.serviceAddress && b.port === MINIO_PORT);
  if (!front || !bind) {
    reportFinding(e.report, { subject, observed: `no bind on ${where}`, expected: `a bind on the service address ${where} with ssl and the policy's suites`, urn: cfg.urn, location: S3_HAPROXY_CONFIG });
    return;
  }
  const problems = bindProblems(bind);
  if (problems.length) {
    reportFinding(e.report, { subject, observed: `bind ${where}: ${problems.join("; ")}`, expected: "ssl with only ECDHE-{ECDSA,RSA}-{AES256-GCM-SHA384,CHACHA20-POLY1305} and TLS_AES_256_GCM_SHA384/TLS_CHACHA20_POLY1305_SHA256, ssl-min-ver TLSv1.2 or TLSv1.3", urn: cfg.urn, location: `${S3_HAPROXY_CONFIG}: frontend ${front.name}` });
  }
  if (bind.crt && !isDelivered(e.files, e.pending, e.vm, bind.crt)) {
    reportFinding(e.report, { subject, observed: `${bind.crt} not delivered`, expected: `the service's certificate and key delivered by the stack (bind ${where} crt ${bind.crt})`, urn: e.vmUrn, location: bind.crt });
  }
  const backend = facts.backends.find((b) => b.name === front.defaultBackend);
  const servers = backend?.servers ?? [];
  if (servers.length === 0) {
    reportFinding(e.report, { subject, observed: `frontend ${front.name} forwards to no server`, expected: `a server at MinIO's address ${e.minioAddress ?? "127.0.0.1:<port>"}`, urn: cfg.urn, location: `${S3_HAPROXY_CONFIG}: frontend ${front.name}` });
  }
  for (const server of servers) {
    const at = `${S3_HAPROXY_CONFIG}: backend ${backend?.name} server ${server.name}`;
    const target = `${server.address}:${server.port}`;
    const wrong: string[] = [];
    if (target !== e.minioAddress) wrong.push(`forwards to ${target}, where MinIO does not listen (${e.minioAddress ?? "no --address"})`);
    if (!server.ssl) wrong.push("no ssl (the loopback hop in plain text)");
    if (server.verify !== "required") wrong.push(`verify ${server.verify}`);
    if (e.serverName && server.verifyhost !== e.serverName) wrong.push(server.verifyhost ? `verifyhost ${server.verifyhost}` : "no verifyhost");
    if (!server.caFile) wrong.push("no ca-file");
    else {
      const ca = e.files.find((f) => f.vm === e.vm && f.path === server.caFile);
      if (!ca && !isDelivered(e.files, e.pending, e.vm, server.caFile)) wrong.push(`ca-file ${server.caFile} not delivered`);
      else if (ca && typeof e.caPem === "string" && ca.content !== e.caPem) wrong.push(`ca-file ${server.caFile} is not the CA that signed MinIO's certificate`);
    }
    if (wrong.length) {
      reportFinding(e.report, { subject, observed: wrong.join("; "), expected: `server ${e.minioAddress ?? "127.0.0.1:<port>"} ssl verify required ca-file <the internal CA> verifyhost ${e.serverName ?? "<the service's name>"}`, urn: cfg.urn, location: at });
    }
  }
}
