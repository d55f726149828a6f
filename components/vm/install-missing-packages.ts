// The one way a tier's packages script installs Debian packages: only when one is missing (a re-run with
// every package present changes nothing and sets no `fresh`), with apt's lock timeout, no recommends.

const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

/** The shell lines that install `packages` if any is missing and then set `fresh=1`; `who` names the caller in errors. */
export function installMissingPackagesLines(packages: readonly string[], who: string): string {
  for (const p of packages) if (!PACKAGE_NAME.test(p)) throw new Error(`${who}: "${p}" is not a Debian package name`);
  const checks = packages.map((p) => `   || ! dpkg-query -W -f='\${Status}' ${p} 2>/dev/null | grep -q 'install ok installed'`).join(" \\\n");
  return `if false \\
${checks}; then
  fresh=1
  apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends ${packages.join(" ")}
fi`;
}
