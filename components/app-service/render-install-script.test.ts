import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeRun, requireTool, runTool, type ToolResult } from "../../test/support/require-tool";
import { servicePlan } from "../../test/fixtures/app-service-plans";
import { renderInstallScript } from "./render-install-script";
import type { ApplicationServicePlan } from "./service-plan";
import { startArtifactServer, type ArtifactServer } from "../../test/support/artifact-server";

// prod pins FRS as an executable (URL + sha256) and the API as a Debian package: one plan of each kind.
const FRS = servicePlan("frs").plan;
const API = servicePlan("api").plan;

const tempDirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

function expectOk(result: ToolResult): void {
  expect(result.status, describeRun(result)).toBe(0);
}

/** A temporary root with the account files useradd --prefix edits. */
function vmRoot(): string {
  const root = tempDir("ibac-app-root-");
  fs.mkdirSync(path.join(root, "etc"));
  fs.writeFileSync(path.join(root, "etc/passwd"), "root:x:0:0:root:/root:/bin/bash\n");
  fs.writeFileSync(path.join(root, "etc/group"), "root:x:0:\n");
  fs.writeFileSync(path.join(root, "etc/shadow"), "root:*:19000:0:99999:7:::\n", { mode: 0o600 });
  fs.writeFileSync(path.join(root, "etc/gshadow"), "root:*::\n", { mode: 0o600 });
  return root;
}

function runScript(root: string, plan: ApplicationServicePlan, env: NodeJS.ProcessEnv = process.env): ToolResult {
  const file = path.join(root, "install-script");
  fs.writeFileSync(file, renderInstallScript(plan, { root }), { mode: 0o755 });
  return runTool(requireTool("bash", "bash"), [file], { env, timeout: 60_000 });
}

describe("renderInstallScript", () => {
  it.each([["frs (an executable)", FRS], ["api (a Debian package)", API]])("%s: bash -n and shellcheck accept it", (_what, plan) => {
    const file = path.join(tempDir("ibac-app-install-check-"), "install");
    fs.writeFileSync(file, renderInstallScript(plan), { mode: 0o755 });
    expectOk(runTool(requireTool("bash", "bash"), ["-n", file]));
    expectOk(runTool(requireTool("shellcheck", "shellcheck"), ["--shell=bash", "--severity=style", file]));
  });

  it("pins the prod FRS executable by URL and digest, to /usr/local/bin, and starts nothing", () => {
    const script = renderInstallScript(FRS);
    expect(script).toContain(`readonly URL=${FRS.artifact.kind === "executable" ? FRS.artifact.url : ""}\n`);
    expect(script).toContain("readonly EXECUTABLE=/usr/local/bin/ibac-frs\n");
    expect(script).toContain("--proto =https --proto-redir =https --tlsv1.2");
    expect(script).not.toMatch(/systemctl|apt-get/);
  });

  it("installs the prod API package at its pinned version, and starts nothing", () => {
    const script = renderInstallScript(API);
    expect(script).toContain("readonly PACKAGE=ibac-api\nreadonly VERSION=3.8.0-1\nreadonly EXECUTABLE=/usr/bin/ibac-api\n");
    expect(script).toContain('"$PACKAGE=$VERSION"');
    expect(script).not.toMatch(/systemctl|curl /);
  });

  it.each([
    ["a URL with a shell substitution", { ...FRS, artifact: { kind: "executable" as const, url: "https://a.example.org/$(id)", sha256: "a".repeat(64) } }, 'renderInstallScript: frs.artifact.url: expected an http(s) URL of a file such as https://artifacts.example.org/frs/ibac-frs-2.3.1, found "https://a.example.org/$(id)"'],
    ["a short digest", { ...FRS, artifact: { kind: "executable" as const, url: "https://a.example.org/frs", sha256: "abc" } }, 'renderInstallScript: frs.artifact.sha256: expected 64 lower-case hex digits, found "abc"'],
    ["a package name with a space", { ...API, artifact: { kind: "debianPackage" as const, package: "ibac api", version: "1", executable: "/usr/bin/ibac-api" } }, 'renderInstallScript: api.artifact.package: expected a Debian package name such as ibac-api, found "ibac api"'],
    ["a version with a semicolon", { ...API, artifact: { kind: "debianPackage" as const, package: "ibac-api", version: "1;reboot", executable: "/usr/bin/ibac-api" } }, 'renderInstallScript: api.artifact.version: expected a Debian version such as 1.4.2-1, found "1;reboot"'],
    ["a user name with a line break", { ...API, user: "ibac\nroot" }, 'renderInstallScript: user: expected a system user name such as minio-user, found "ibac\\nroot"'],
  ])("refuses %s", (_what, plan, message) => {
    expect(() => renderInstallScript(plan)).toThrow(message);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The executable kind, for real: the rendered script downloads from a python3 http.server on 127.0.0.1 (a
// random port) into a temporary root; useradd --prefix edits that root's account files, never this machine's.
// The "executable" is a stand-in file (the operator's FRS build does not exist here): what is proven is the
// download, the digest gate, the install and the user, not that FRS runs.
// ---------------------------------------------------------------------------------------------------------

const V1 = "#!/bin/sh\necho 'stand-in for the operator FRS build 1'\n";
const V2 = "#!/bin/sh\necho 'stand-in for the operator FRS build 2'\n";
const sha256 = (text: string): string => crypto.createHash("sha256").update(text).digest("hex");
let server: ArtifactServer | undefined;
let port = 0;

beforeAll(async () => {
  const serveDir = tempDir("ibac-app-artifacts-");
  fs.mkdirSync(path.join(serveDir, "frs"));
  fs.writeFileSync(path.join(serveDir, "frs", "ibac-frs-1"), V1);
  fs.writeFileSync(path.join(serveDir, "frs", "ibac-frs-2"), V2);
  server = await startArtifactServer(serveDir);
  port = server.port;
});

afterAll(() => {
  server?.stop();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function frsPinned(file: string, digest: string): ApplicationServicePlan {
  return { ...FRS, artifact: { kind: "executable", url: `http://127.0.0.1:${port}/frs/${file}`, sha256: digest } };
}

describe("the install script of an executable, run against a loopback HTTP server in a temporary root", () => {
  it("installs the executable whose digest is the spec's, root-owned 0755, and the service's system user", () => {
    requireTool("curl", "curl");
    requireTool("useradd", "passwd");
    const root = vmRoot();
    const result = runScript(root, frsPinned("ibac-frs-1", sha256(V1)));
    expectOk(result);
    expect(result.stdout).toContain(`ibac-frs-install: installed iBac face recognition (FRS) executable at ${root}/usr/local/bin/ibac-frs`);
    const installed = path.join(root, "usr/local/bin/ibac-frs");
    expect(fs.readFileSync(installed, "utf8")).toBe(V1);
    const stat = fs.statSync(installed);
    expect(stat.mode & 0o7777).toBe(0o755);
    expect([stat.uid, stat.gid]).toEqual([0, 0]);
    expect(fs.readFileSync(path.join(root, "etc/passwd"), "utf8")).toMatch(/^ibac-frs:x:\d+:\d+::\/nonexistent:\/usr\/sbin\/nologin$/m);
    expect(fs.readFileSync(path.join(root, "etc/group"), "utf8")).toMatch(/^ibac-frs:x:\d+:$/m);
    expect(fs.readdirSync(path.join(root, "usr/local/bin"))).toEqual(["ibac-frs"]);
  });

  it("refuses a new build whose digest is not the spec's: exit 1, the message, the old executable kept", () => {
    const root = vmRoot();
    expectOk(runScript(root, frsPinned("ibac-frs-1", sha256(V1))));
    const wrong = "0".repeat(64);
    const result = runScript(root, frsPinned("ibac-frs-2", wrong));
    expect(result.status, describeRun(result)).toBe(1);
    expect(result.stderr).toBe(
      `ibac-frs-install: refusing the binary from http://127.0.0.1:${port}/frs/ibac-frs-2: its SHA-256 is ${sha256(V2)}, the spec pins ${wrong} (frs.artifact.sha256); nothing was installed\n`,
    );
    expect(fs.readFileSync(path.join(root, "usr/local/bin/ibac-frs"), "utf8")).toBe(V1);
    expect(fs.readdirSync(path.join(root, "usr/local/bin"))).toEqual(["ibac-frs"]);
  });

  it("replaces the executable with a new pinned build, and keeps an up-to-date one without downloading", () => {
    const root = vmRoot();
    expectOk(runScript(root, frsPinned("ibac-frs-1", sha256(V1))));
    expectOk(runScript(root, frsPinned("ibac-frs-2", sha256(V2))));
    expect(fs.readFileSync(path.join(root, "usr/local/bin/ibac-frs"), "utf8")).toBe(V2);
    const passwd = fs.readFileSync(path.join(root, "etc/passwd"), "utf8");
    // A URL that does not exist: a run that tried to download would fail.
    const again = runScript(root, frsPinned("gone", sha256(V2)));
    expectOk(again);
    expect(again.stdout).toContain(`${root}/usr/local/bin/ibac-frs is already the pinned iBac face recognition (FRS) executable`);
    expect(fs.readFileSync(path.join(root, "etc/passwd"), "utf8")).toBe(passwd);
  });

  it("fails clearly when the artifact cannot be downloaded, the old executable kept", () => {
    const root = vmRoot();
    expectOk(runScript(root, frsPinned("ibac-frs-1", sha256(V1))));
    const result = runScript(root, frsPinned("missing", sha256(V2)));
    expect(result.status, describeRun(result)).toBe(1);
    expect(result.stderr).toContain(`ibac-frs-install: could not download iBac face recognition (FRS) executable from http://127.0.0.1:${port}/frs/missing`);
    expect(fs.readFileSync(path.join(root, "usr/local/bin/ibac-frs"), "utf8")).toBe(V1);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The Debian package kind. The version check is real: dpkg-query reads a dpkg status file in the temporary root
// (DPKG_ADMINDIR). apt-get and apt-mark are stand-ins on PATH (installing a package here would change this
// machine): the stand-in apt-get records its arguments and "installs" by writing the status entry and the
// executable, at the version the test's repository has. Left unproven here: apt-get against a real repository.
// ---------------------------------------------------------------------------------------------------------

const STUB_APT_GET = `#!/bin/bash
set -eu
echo "$*" >> "$STUB_LOG"
[ "$1" = update ] && exit 0
[ -n "\${STUB_FAIL:-}" ] && { echo "E: Version '3.8.0-1' for 'ibac-api' was not found" >&2; exit 100; }
pkg=\${*: -1}
name=\${pkg%%=*}
printf 'Package: %s\\nStatus: install ok installed\\nVersion: %s\\nArchitecture: all\\nMaintainer: t <t@example.org>\\nDescription: t\\n\\n' "$name" "$STUB_REPO_VERSION" > "$DPKG_ADMINDIR/status"
if [ -z "\${STUB_NO_EXECUTABLE:-}" ]; then mkdir -p "$STUB_ROOT/usr/bin"; printf '#!/bin/sh\\n' > "$STUB_ROOT/usr/bin/$name"; chmod 0755 "$STUB_ROOT/usr/bin/$name"; fi
`;

interface PackageRun {
  root: string;
  result: ToolResult;
  log: string[];
}

/** A run with the stand-ins; `installed`: dpkg already has the pinned version and its executable. */
function runPackageInstall(env: Record<string, string>, installed = false): PackageRun {
  requireTool("dpkg-query", "dpkg");
  const root = vmRoot();
  const bin = path.join(root, "stub-bin");
  const admin = path.join(root, "var/lib/dpkg");
  fs.mkdirSync(bin);
  fs.mkdirSync(admin, { recursive: true });
  fs.writeFileSync(path.join(admin, "status"), installed ? "Package: ibac-api\nStatus: install ok installed\nVersion: 3.8.0-1\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: t\n\n" : "");
  if (installed) {
    fs.mkdirSync(path.join(root, "usr/bin"), { recursive: true });
    fs.writeFileSync(path.join(root, "usr/bin/ibac-api"), "#!/bin/sh\n", { mode: 0o755 });
  }
  fs.writeFileSync(path.join(bin, "apt-get"), STUB_APT_GET, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, "apt-mark"), '#!/bin/sh\necho "apt-mark $*" >> "$STUB_LOG"\n', { mode: 0o755 });
  const log = path.join(root, "apt.log");
  fs.writeFileSync(log, "");
  const result = runScript(root, API, {
    ...process.env,
    PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    DPKG_ADMINDIR: admin,
    STUB_LOG: log,
    STUB_ROOT: root,
    STUB_REPO_VERSION: "3.8.0-1",
    ...env,
  });
  return { root, result, log: fs.readFileSync(log, "utf8").trim().split("\n").filter(Boolean) };
}

describe("the install script of a Debian package: dpkg must report the pinned version", () => {
  it("installs PACKAGE=VERSION, holds it, and checks the version dpkg reports and the executable", () => {
    const run = runPackageInstall({});
    expectOk(run.result);
    expect(run.log).toEqual([
      "update -q",
      "install -y -q --no-install-recommends --allow-downgrades --allow-change-held-packages -o Dpkg::Options::=--force-confold ibac-api=3.8.0-1",
      "apt-mark hold ibac-api",
    ]);
    expect(run.result.stdout).toContain(`ibac-api-install: ibac-api 3.8.0-1 is installed, with ${run.root}/usr/bin/ibac-api`);
    expect(fs.readFileSync(path.join(run.root, "etc/passwd"), "utf8")).toMatch(/^ibac-api:x:/m);
  });

  it("installs nothing when dpkg already reports the pinned version, and still checks the executable", () => {
    const run = runPackageInstall({}, true);
    expectOk(run.result);
    expect(run.log).toEqual(["apt-mark hold ibac-api"]);
    expect(run.result.stdout).toContain("ibac-api-install: ibac-api is already the pinned 3.8.0-1");
  });

  it("refuses when the repository installed another version: exit 1, what dpkg reports and the pin", () => {
    const run = runPackageInstall({ STUB_REPO_VERSION: "3.9.0-1" });
    expect(run.result.status, describeRun(run.result)).toBe(1);
    expect(run.result.stderr).toBe('ibac-api-install: dpkg reports ibac-api as "installed 3.9.0-1" after the install, the spec pins 3.8.0-1 (api.artifact.version)\n');
  });

  it("refuses a package that installs no executable where the spec says", () => {
    const run = runPackageInstall({ STUB_NO_EXECUTABLE: "1" });
    expect(run.result.status, describeRun(run.result)).toBe(1);
    expect(run.result.stderr).toBe(`ibac-api-install: ibac-api 3.8.0-1 installed no executable ${run.root}/usr/bin/ibac-api (api.artifact.executable)\n`);
  });

  it("fails clearly when apt-get cannot install the pinned version", () => {
    const run = runPackageInstall({ STUB_FAIL: "1" });
    expect(run.result.status, describeRun(run.result)).toBe(1);
    expect(run.result.stderr).toContain("ibac-api-install: could not install ibac-api=3.8.0-1 from the site's repository (api.artifact)\n");
    expect(run.log).not.toContain("apt-mark hold ibac-api");
  });
});
