import type { PolicyResource } from "@pulumi/policy";
import { deliveredFiles } from "../kit/rendered-files";
import { pendingFiles, isDelivered, fileKey } from "../kit/pending-files";
import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { vmUrn } from "../kit/platform-view";
import { RESOURCES } from "../../components/resource-types";
import { MINIO_ENV_FILE } from "../../components/storage/minio-paths";
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
 */
export function objectStoreTlsPolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "object-store-tls",
    description:
      "MinIO on each storage VM serves TLS only: --certs-dir names a directory the stack fills with public.crt, private.key (mode 0600 or 0640) and the internal CA under CAs/, MINIO_SERVER_URL is https, and the certificate is the internal CA's for that name.",
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
  });
}
