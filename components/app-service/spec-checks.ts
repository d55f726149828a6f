import type { PlatformSpec, ServiceArtifactSpec } from "../spec/schema";
import type { FieldProblem } from "../spec/errors";
import { designFlows } from "../model/flows";

/** The tiers that run one of the operator's HTTPS services. */
export const APPLICATION_TIERS = ["api", "frs"] as const;
export type ApplicationTier = (typeof APPLICATION_TIERS)[number];

/** How an artifact is pinned: the one place that tells the two kinds apart (renderers switch on `kind`). */
export type PinnedArtifact =
  | { kind: "executable"; url: string; sha256: string }
  | { kind: "debianPackage"; package: string; version: string; executable: string };

/** Environment names the toolkit sets itself (endpoints, credentials, paths): the operator's may not shadow them. */
export const TOOLKIT_ENVIRONMENT_PREFIX = "IBAC_";

const EXECUTABLE_FIELDS = ["url", "sha256"] as const;
const PACKAGE_FIELDS = ["package", "version", "executable"] as const;

/** The artifact's kind, or a problem naming what is missing or mixed. */
export function pinnedArtifact(artifact: ServiceArtifactSpec): PinnedArtifact | string {
  const present = (fields: readonly (keyof ServiceArtifactSpec)[]) => fields.filter((f) => artifact[f] !== undefined);
  const exe = present(EXECUTABLE_FIELDS);
  const pkg = present(PACKAGE_FIELDS);
  const expected = "expected either url and sha256 (an executable pinned by digest) or package, version and executable (a Debian package pinned by version)";
  if (exe.length && pkg.length) return `${expected}, found both kinds (${[...exe, ...pkg].join(", ")})`;
  if (exe.length === EXECUTABLE_FIELDS.length) return { kind: "executable", url: artifact.url as string, sha256: artifact.sha256 as string };
  if (pkg.length === PACKAGE_FIELDS.length) {
    return { kind: "debianPackage", package: artifact.package as string, version: artifact.version as string, executable: artifact.executable as string };
  }
  const partial = exe.length ? EXECUTABLE_FIELDS.filter((f) => !exe.includes(f)) : pkg.length ? PACKAGE_FIELDS.filter((f) => !pkg.includes(f)) : [];
  return partial.length ? `${expected}, found no ${partial.join(" and no ")}` : `${expected}, found neither`;
}

/** The artifact of a tier whose spec passed the checks below (throws otherwise: the loader reports first). */
export function tierArtifact(spec: PlatformSpec, tier: ApplicationTier): PinnedArtifact {
  const artifact = pinnedArtifact(spec[tier].artifact);
  if (typeof artifact === "string") throw new Error(`${tier}.artifact: ${artifact}`);
  return artifact;
}

/**
 * Names the operator's environment may not set either: the dynamic loader's (LD_PRELOAD would load code of
 * the operator's choosing into the service, LD_LIBRARY_PATH libraries) and what systemd itself sets for a
 * service (an env file's value would shadow it: NOTIFY_SOCKET, the socket-activation and credential variables).
 */
const LOADER_PREFIX = "LD_";
const SYSTEMD_PREFIX = "SYSTEMD_";
const SYSTEMD_SET = [
  "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "INVOCATION_ID", "JOURNAL_STREAM", "NOTIFY_SOCKET", "MAINPID",
  "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "WATCHDOG_USEC", "WATCHDOG_PID", "CREDENTIALS_DIRECTORY",
  "RUNTIME_DIRECTORY", "STATE_DIRECTORY", "CACHE_DIRECTORY", "LOGS_DIRECTORY", "CONFIGURATION_DIRECTORY",
] as const;

/** Why the operator may not set `name`, or undefined when it is the operator's to set. */
export function environmentNameProblem(name: string): string | undefined {
  if (name.startsWith(TOOLKIT_ENVIRONMENT_PREFIX)) {
    return `expected a name outside ${TOOLKIT_ENVIRONMENT_PREFIX}* (the toolkit sets those: endpoints, credentials, paths), found "${name}"`;
  }
  if (name.startsWith(LOADER_PREFIX)) return `expected a name outside ${LOADER_PREFIX}* (the dynamic loader's: it would load code or libraries into the service), found "${name}"`;
  if (name.startsWith(SYSTEMD_PREFIX) || (SYSTEMD_SET as readonly string[]).includes(name)) {
    return `expected a name systemd does not set for the service (${SYSTEMD_PREFIX}*, ${SYSTEMD_SET.join(", ")}), found "${name}"`;
  }
  return undefined;
}

/**
 * Why a health path is not one HAProxy can ask as written, or undefined: the pattern holds the characters,
 * this the segments. HAProxy sends the path unchanged while the service (or a proxy before it) may normalise
 * "." and ".." segments and "//", so the check would ask a different resource than the operator meant.
 */
export function healthPathProblem(healthPath: string): string | undefined {
  if (healthPath === "/") return undefined;
  const segments = healthPath.slice(1).split("/");
  const bad = segments.find((s, i) => s === "." || s === ".." || (s === "" && i < segments.length - 1));
  if (bad === undefined) return undefined;
  const what = bad === "" ? "an empty segment (//)" : `a "${bad}" segment`;
  return `expected an absolute path without empty, "." or ".." segments (HAProxy asks it as written, the service may normalise it), found "${healthPath}", which has ${what}`;
}

/**
 * The ports the toolkit's own services listen on in a tier's VMs (SSH, the monitoring agent, the backup file
 * daemon), from the design's flows into the tier that do not carry the operator's service port.
 */
function toolkitPorts(spec: PlatformSpec, tier: ApplicationTier): Map<number, string> {
  // The flows with the service port set to a value no flow has: what is left into the tier is the toolkit's.
  const unset = { ...spec, [tier]: { ...spec[tier], port: -1 } } as PlatformSpec;
  const ports = new Map<number, string>();
  for (const flow of designFlows(unset)) {
    const to = flow.destination;
    if (to.kind !== "tier" || to.tier !== tier || flow.protocol !== "tcp" || flow.ports === "-1") continue;
    for (const port of flow.ports.split(",").map(Number)) if (Number.isInteger(port) && !ports.has(port)) ports.set(port, flow.purpose);
  }
  return ports;
}

/** The API's and FRS's meaning checks: the artifact's kind, the port, the health path and the operator's environment names. */
export function applicationServiceProblems(spec: PlatformSpec): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const tier of APPLICATION_TIERS) {
    const artifact = pinnedArtifact(spec[tier].artifact);
    if (typeof artifact === "string") problems.push({ path: [tier, "artifact"], detail: artifact });
    const taken = toolkitPorts(spec, tier).get(spec[tier].port);
    if (taken) problems.push({ path: [tier, "port"], detail: `expected a port the toolkit does not use on the ${tier} VMs, found ${spec[tier].port}, already taken by ${taken}` });
    const healthPath = healthPathProblem(spec[tier].healthPath);
    if (healthPath) problems.push({ path: [tier, "healthPath"], detail: healthPath });
    for (const name of Object.keys(spec[tier].environment ?? {})) {
      const problem = environmentNameProblem(name);
      if (problem) problems.push({ path: [tier, "environment", name], detail: problem });
    }
  }
  return problems;
}
