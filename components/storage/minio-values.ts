import type { ObjectServicePlan } from "./storage-plan";

// What MinIO's renderers accept from the plan and from the component: every value that reaches an
// EnvironmentFile, a unit or a shell script is checked for what it means first. The plan's values come from
// the model (addresses, fixed paths), the credentials from @pulumi/random; a value that is not what it should be
// is a bug upstream, and the renderer refuses it instead of writing a file that a program reads differently.

const IPV4 = /^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}$/;
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** An absolute path of plain segments: nothing a unit (`%`, spaces), a shell or an env file would read as syntax. */
const SAFE_PATH = /^(\/[A-Za-z0-9._-]+)+$/;
const USER_NAME = /^[a-z_][a-z0-9_-]{0,30}$/;

function refuse(where: string, expected: string, found: string): never {
  throw new Error(`${where}: expected ${expected}, found ${found}`);
}

export function checkIpv4(value: string, where: string): string {
  if (!IPV4.test(value)) refuse(where, "an IPv4 address such as 10.20.2.12", JSON.stringify(value));
  return value;
}

/**
 * An IPv4 loopback address (127.0.0.0/8): where MinIO listens behind HAProxy. Anything else would put MinIO's own
 * TLS, with suites the platform's policy does not allow, on a network.
 */
export function checkLoopback(value: string, where: string): string {
  if (!IPV4.test(value) || !value.startsWith("127.")) refuse(where, "a loopback address such as 127.0.0.1 (MinIO is reached through HAProxy only)", JSON.stringify(value));
  return value;
}

export function checkHostName(value: string, where: string): string {
  if (!HOST_NAME.test(value)) refuse(where, "a lower-case DNS name such as s3.example.org", JSON.stringify(value));
  return value;
}

export function checkPort(value: number, where: string): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) refuse(where, "a TCP port (1 to 65535)", String(value));
  return value;
}

export function checkPath(value: string, where: string): string {
  if (!SAFE_PATH.test(value) || value.split("/").some((s) => s === "." || s === "..")) {
    refuse(where, "an absolute path of letters, digits, '.', '_' and '-' (no '.' or '..' segments)", JSON.stringify(value));
  }
  return value;
}

export function checkUserName(value: string, where: string): string {
  if (!USER_NAME.test(value)) refuse(where, "a system user name such as minio-user", JSON.stringify(value));
  return value;
}

/** `path` is strictly below `parent` (MinIO's data directory below the mount point, never the mount point itself). */
export function checkBelow(path: string, parent: string, where: string): string {
  if (!path.startsWith(`${parent}/`)) refuse(where, `a path below ${parent}`, JSON.stringify(path));
  return path;
}

/**
 * A credential that goes into an EnvironmentFile unquoted and into `MC_HOST_<alias>` URLs: letters, digits and
 * `-_.+=,~` only. No quotes, `$`, `\`, `#`, spaces or line breaks (syntax to the env-file parser), no `:` or `@`
 * (mc splits `https://KEY:SECRET@host` on them), nothing non-printable. The value is never echoed in the error:
 * it is a secret.
 */
export function checkCredential(value: string, where: string, minLength: number): string {
  const plain = /^[A-Za-z0-9._+=,~-]+$/.test(value);
  if (!plain || value.length < minLength || value.length > 128) {
    refuse(where, `${minLength} to 128 characters of letters, digits and -_.+=,~`, `${value.length} characters${plain ? "" : ", some outside that set"} (the value is a secret and not shown)`);
  }
  return value;
}

/** The service plan's values, checked, as MinIO's renderers use them. */
export function checkedService(service: ObjectServicePlan, where: string): ObjectServicePlan {
  checkIpv4(service.address, `${where}: service.address`);
  checkHostName(service.serverName, `${where}: service.serverName`);
  checkPort(service.port, `${where}: service.port`);
  checkLoopback(service.backend.address, `${where}: service.backend.address`);
  checkPort(service.backend.port, `${where}: service.backend.port`);
  checkPath(service.mountPoint, `${where}: service.mountPoint`);
  checkBelow(checkPath(service.dataDir, `${where}: service.dataDir`), service.mountPoint, `${where}: service.dataDir`);
  checkUserName(service.user, `${where}: service.user`);
  return service;
}
