import { shellQuote } from "../../playbooks/engine/shell-quote";
import { checkPath, checkUserName } from "../storage/minio-values";
import { checkPinnedUrl, checkSha256, renderFailFunction, renderPinnedDownloadFunctions } from "../vm/render-pinned-download";
import type { PinnedArtifact } from "./spec-checks";
import type { ApplicationServicePlan } from "./service-plan";

export interface InstallScriptOptions {
  /**
   * A directory every path the script writes or checks is placed under, and the account files it edits
   * (useradd --prefix): tests install into a temporary root; production renders without it (the VM's own /).
   */
  root?: string;
}

// The schema's patterns again: the script is rendered from a plan a caller may have built by hand, and every
// value ends up in a shell script.
const PACKAGE = /^[a-z0-9][a-z0-9+.-]+$/;
const VERSION = /^([0-9]+:)?[0-9][A-Za-z0-9.+~-]*$/;

/**
 * The script every deployment runs on an API or FRS VM before the service's other files arrive (and again
 * before each restart): the service's system user (the TLS key is installed readable by its group), then the
 * operator's pinned artifact, by kind:
 * - an executable: downloaded, kept only if its SHA-256 is the spec's, installed root-owned 0755 by renaming it
 *   over the old one; a wrong digest or a failed download exits 1 and leaves the installed program as it was
 *   (components/vm/render-pinned-download.ts, shared with MinIO's binaries);
 * - a Debian package: `apt-get install PACKAGE=VERSION` from the site's repository (held, so that unattended
 *   upgrades do not move it off the pin), then dpkg must report exactly that version installed and the package
 *   must have installed the executable the spec names; otherwise exit 1.
 * It never starts the service: the deployment's last step restarts it once every file is in place.
 */
export function renderInstallScript(plan: ApplicationServicePlan, opts: InstallScriptOptions = {}): string {
  const where = "renderInstallScript";
  const tag = installTag(plan);
  const user = checkUserName(plan.user, `${where}: user`);
  const root = opts.root === undefined ? "" : checkPath(opts.root, `${where}: root`);
  const under = (p: string): string => shellQuote(`${root}${p}`);
  return `#!/bin/bash
# Rendered by the iBac toolkit: installs the operator's ${plan.label} (${describe(plan.artifact)})
# and its system user. Never starts the service: the deployment restarts it once every file is in place.
set -euo pipefail
umask 022
readonly SERVICE_USER=${shellQuote(user)}
readonly PASSWD_FILE=${under("/etc/passwd")}

${plan.artifact.kind === "executable" ? renderPinnedDownloadFunctions(tag) : renderFailFunction(tag)}
if ! grep -q "^$SERVICE_USER:" "$PASSWD_FILE"; then
  useradd ${root ? `--prefix ${shellQuote(root)} ` : ""}--system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$SERVICE_USER"
fi

${artifactSteps(plan, under, where)}`;
}

/** The script's name in its messages. */
function installTag(plan: ApplicationServicePlan): string {
  return `ibac-${plan.tier}-install`;
}

function describe(artifact: PinnedArtifact): string {
  switch (artifact.kind) {
    case "executable":
      return `an executable pinned by SHA-256 ${artifact.sha256.slice(0, 12)}...`;
    case "debianPackage":
      return `the Debian package ${artifact.package} ${artifact.version}`;
    default:
      return unknownKind(artifact);
  }
}

function unknownKind(artifact: never): never {
  throw new Error(`renderInstallScript: artifact: expected kind executable or debianPackage, found ${JSON.stringify(artifact)}`);
}

function artifactSteps(plan: ApplicationServicePlan, under: (p: string) => string, where: string): string {
  const artifact = plan.artifact;
  const field = `${plan.tier}.artifact`;
  const executable = checkPath(plan.paths.executable, `${where}: executable`);
  switch (artifact.kind) {
    case "executable":
      return `readonly URL=${shellQuote(checkPinnedUrl(artifact.url, `${where}: ${field}.url`, "https://artifacts.example.org/frs/ibac-frs-2.3.1"))}
readonly SHA256=${shellQuote(checkSha256(artifact.sha256, `${where}: ${field}.sha256`))}
readonly EXECUTABLE=${under(executable)}
install_pinned ${shellQuote(`${plan.label} executable`)} "$URL" "$SHA256" "$EXECUTABLE" ${field}.sha256
`;
    case "debianPackage": {
      if (!PACKAGE.test(artifact.package)) throw new Error(`${where}: ${field}.package: expected a Debian package name such as ibac-api, found ${JSON.stringify(artifact.package)}`);
      if (!VERSION.test(artifact.version)) throw new Error(`${where}: ${field}.version: expected a Debian version such as 1.4.2-1, found ${JSON.stringify(artifact.version)}`);
      if (executable !== checkPath(artifact.executable, `${where}: ${field}.executable`)) {
        throw new Error(`${where}: executable: expected the package's executable ${artifact.executable}, found ${JSON.stringify(executable)}`);
      }
      return `readonly PACKAGE=${shellQuote(artifact.package)}
readonly VERSION=${shellQuote(artifact.version)}
readonly EXECUTABLE=${under(executable)}

# "installed VERSION" when the package is installed, else empty.
installed_version() {
  dpkg-query -W -f='\${db:Status-Status} \${Version}' "$PACKAGE" 2>/dev/null || true
}

if [ "$(installed_version)" = "installed $VERSION" ]; then
  echo "${installTag(plan)}: $PACKAGE is already the pinned $VERSION"
else
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q || fail "apt-get update failed: the site's repository is needed for $PACKAGE=$VERSION (${field})"
  apt-get install -y -q --no-install-recommends --allow-downgrades --allow-change-held-packages \\
    -o Dpkg::Options::=--force-confold "$PACKAGE=$VERSION" \\
    || fail "could not install $PACKAGE=$VERSION from the site's repository (${field})"
fi
# Held at the pin: an unattended upgrade must not move the service off the version the spec names.
apt-mark hold "$PACKAGE" >/dev/null || fail "could not hold $PACKAGE at $VERSION"
actual=$(installed_version)
if [ "$actual" != "installed $VERSION" ]; then
  fail "dpkg reports $PACKAGE as \\"\${actual:-not installed}\\" after the install, the spec pins $VERSION (${field}.version)"
fi
[ -x "$EXECUTABLE" ] || fail "$PACKAGE $VERSION installed no executable $EXECUTABLE (${field}.executable)"
echo "${installTag(plan)}: $PACKAGE $VERSION is installed, with $EXECUTABLE"
`;
    }
    default:
      return unknownKind(artifact);
  }
}
