import type { PlatformSpec, ServiceArtifactSpec } from "../spec/schema";
import type { FieldProblem } from "../spec/errors";

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

/** The API's and FRS's meaning checks: the artifact's kind and the operator's environment names. */
export function applicationServiceProblems(spec: PlatformSpec): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const tier of APPLICATION_TIERS) {
    const artifact = pinnedArtifact(spec[tier].artifact);
    if (typeof artifact === "string") problems.push({ path: [tier, "artifact"], detail: artifact });
    for (const name of Object.keys(spec[tier].environment ?? {})) {
      if (name.startsWith(TOOLKIT_ENVIRONMENT_PREFIX)) {
        problems.push({ path: [tier, "environment", name], detail: `expected a name outside ${TOOLKIT_ENVIRONMENT_PREFIX}* (the toolkit sets those: endpoints, credentials, paths), found "${name}"` });
      }
    }
  }
  return problems;
}
