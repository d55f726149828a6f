import { checkHostName, checkIpv4, checkPath, checkPort } from "../storage/minio-values";
import { environmentNameProblem } from "./spec-checks";
import type { ApplicationServicePlan, ServiceEndpoint, ServiceInstance } from "./service-plan";

/** The accounts the service uses, unwrapped from their Pulumi secrets inside an apply. */
export interface ServiceCredentials {
  /** The database's application account (offered by the database tier). */
  database: { user: string; password: string };
  /** The tier's own MinIO user (offered by the object-store tier). */
  objectStore: { accessKey: string; secretKey: string };
}

const NAME = /^[A-Z][A-Z0-9_]{0,63}$/;
/**
 * What a single-quoted value of systemd's env-file parser may hold and still read back as written: printable
 * ASCII without the quote itself, and without `"`, `\`, `` ` `` and `$` (syntax to the parser in other quoting,
 * and `$` expanded by the environment.d reading of the same parser, which the tests use).
 */
const PLAIN_VALUE = /^[\x20-\x7e]*$/;
const SYNTAX = /['"\\`$]/;

interface Variable {
  name: string;
  value: string;
  secret?: boolean;
}

function quoted(variable: Variable, where: string): string {
  const { name, value, secret } = variable;
  if (!NAME.test(name)) throw new Error(`${where}: ${JSON.stringify(name)}: expected an upper-case environment name`);
  if (!PLAIN_VALUE.test(value) || SYNTAX.test(value)) {
    const found = secret ? `${value.length} characters, some outside that set (the value is a secret and not shown)` : JSON.stringify(value);
    throw new Error(`${where}: ${name}: expected printable ASCII without quotes, backslashes, backticks or $, found ${found}`);
  }
  return `${name}='${value}'`;
}

const endpoint = (e: ServiceEndpoint, where: string): string => `${checkIpv4(e.address, `${where}.address`)}:${checkPort(e.port, `${where}.port`)}`;
const url = (e: ServiceEndpoint, where: string): string => `https://${checkHostName(e.serverName, `${where}.serverName`)}:${checkPort(e.port, `${where}.port`)}`;

/** `photos` -> `PHOTOS`, `frsArchive` -> `FRS_ARCHIVE`. */
const constantCase = (purpose: string): string => purpose.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();

/**
 * The EnvironmentFile of the API's or FRS's service on one VM (`/etc/default/ibac-<tier>`). Pure.
 *
 * First the IBAC_* values the toolkit sets (the operator's may not shadow them: spec-checks.ts), then the
 * operator's own settings. Every value is single-quoted for systemd's parser and checked to read back as written.
 *
 * How the names resolve: db.<domain>, s3.<domain> and the FRS VMs' names are the names their certificates
 * carry, but the site's DNS may not hold them, and the VMs' /etc/hosts is cloud-init's. So each endpoint is given
 * twice: `*_ADDRESS` and `*_PORT` (IBAC_FRS_ADDRESSES: address:port, in the order of IBAC_FRS_URLS) are where to connect, `*_SERVER_NAME` is the name to send as SNI and to verify
 * the certificate against, with `*_TLS_CA` and the CRL. `IBAC_S3_ENDPOINT` and `IBAC_FRS_URLS` are the same
 * endpoints as URLs by name, for a client whose resolver knows the names.
 *
 * It holds the database password and the S3 secret key: the file is root:root 0600, read by systemd (PID 1)
 * before it drops to the service's user.
 */
export function renderEnvironment(plan: ApplicationServicePlan, instance: ServiceInstance, credentials: ServiceCredentials): string {
  const where = "renderEnvironment";
  const tls = plan.paths.tls;
  const vars: Variable[] = [
    { name: "IBAC_INSTANCE", value: instance.vm },
    { name: "IBAC_SERVER_NAME", value: checkHostName(instance.fqdn, `${where}: instance.fqdn`) },
    { name: "IBAC_LISTEN_ADDRESS", value: checkIpv4(instance.address, `${where}: instance.address`) },
    { name: "IBAC_LISTEN_PORT", value: String(checkPort(plan.port, `${where}: port`)) },
    { name: "IBAC_HEALTH_PATH", value: plan.healthPath },
    { name: "IBAC_TLS_CERT", value: checkPath(tls.cert, `${where}: tls.cert`) },
    { name: "IBAC_TLS_KEY", value: checkPath(tls.key, `${where}: tls.key`) },
    { name: "IBAC_TLS_CA", value: checkPath(tls.ca, `${where}: tls.ca`) },
    { name: "IBAC_TLS_CRL", value: checkPath(tls.crl, `${where}: tls.crl`) },
    { name: "IBAC_DB_ADDRESS", value: checkIpv4(plan.database.address, `${where}: database.address`) },
    { name: "IBAC_DB_PORT", value: String(checkPort(plan.database.port, `${where}: database.port`)) },
    { name: "IBAC_DB_SERVER_NAME", value: checkHostName(plan.database.serverName, `${where}: database.serverName`) },
    { name: "IBAC_DB_NAME", value: plan.database.schema },
    { name: "IBAC_DB_USER", value: credentials.database.user },
    { name: "IBAC_DB_PASSWORD", value: credentials.database.password, secret: true },
    { name: "IBAC_S3_ENDPOINT", value: url(plan.objectStore, `${where}: objectStore`) },
    { name: "IBAC_S3_ADDRESS", value: checkIpv4(plan.objectStore.address, `${where}: objectStore.address`) },
    { name: "IBAC_S3_PORT", value: String(checkPort(plan.objectStore.port, `${where}: objectStore.port`)) },
    { name: "IBAC_S3_SERVER_NAME", value: plan.objectStore.serverName },
    { name: "IBAC_S3_ACCESS_KEY", value: credentials.objectStore.accessKey },
    { name: "IBAC_S3_SECRET_KEY", value: credentials.objectStore.secretKey, secret: true },
    ...Object.entries(plan.buckets).map(([purpose, bucket]): Variable => ({ name: `IBAC_S3_BUCKET_${constantCase(purpose)}`, value: bucket })),
    ...(plan.frsInstances
      ? [
        { name: "IBAC_FRS_URLS", value: plan.frsInstances.map((f, i) => url(f, `${where}: frsInstances[${i}]`)).join(",") },
        { name: "IBAC_FRS_ADDRESSES", value: plan.frsInstances.map((f, i) => endpoint(f, `${where}: frsInstances[${i}]`)).join(",") },
      ]
      : []),
    ...(plan.frs
      ? [
        { name: "IBAC_FRS_DATA_DIR", value: checkPath(plan.frs.dataDir, `${where}: frs.dataDir`) },
        { name: "IBAC_FRS_LOCAL_RETENTION_DAYS", value: String(plan.frs.localRetentionDays) },
      ]
      : []),
  ];
  for (const v of vars) {
    if (!v.name.startsWith("IBAC_")) throw new Error(`${where}: ${v.name}: the toolkit's names start with IBAC_`);
    if (!v.value.length) throw new Error(`${where}: ${v.name}: expected a value, found none`);
  }
  const operator = Object.entries(plan.operatorEnvironment).map(([name, value]): Variable => {
    const problem = environmentNameProblem(name);
    if (problem) throw new Error(`${where}: ${plan.tier}.environment.${name}: ${problem}`);
    return { name, value };
  });
  return [
    `# Rendered by the iBac toolkit: the environment of ${plan.unit} on ${instance.vm}. It holds the database`,
    `# password and the S3 secret key: root:root 0600, read by systemd before it drops to ${plan.user}.`,
    "# Each endpoint: *_ADDRESS to connect to, *_SERVER_NAME to verify its certificate against (and send as SNI).",
    ...vars.map((v) => quoted(v, where)),
    `# The operator's own settings (${plan.tier}.environment in the stack file).`,
    ...operator.map((v) => quoted(v, `${where}: ${plan.tier}.environment`)),
    "",
  ].join("\n");
}
