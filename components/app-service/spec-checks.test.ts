import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseStack } from "../spec/load";
import { PROJECT_DIR, prodWithField, prodWithoutField, stackRejection, stackText } from "../../test/fixtures/specs";
import { pinnedArtifact, tierArtifact } from "./spec-checks";

// The API's, FRS's and the load balancer's meaning checks through the real loader, from the prod stack with one
// thing changed: the exact message, the file and the field path.
const FILE = "stacks/Pulumi.prod.yaml";
const prod = stackText("prod");

const withField = prodWithField;
const withoutField = prodWithoutField;
const rejection = stackRejection;

const at = (field: string, detail: string): string => `${FILE}: ibac:platform.${field}: ${detail}`;
const EXPECTED_ARTIFACT = "expected either url and sha256 (an executable pinned by digest) or package, version and executable (a Debian package pinned by version)";

describe("api and frs: the artifact, the port, the health path and the environment held to their meaning", () => {
  it("prod pins FRS by digest and the API by package version", () => {
    const { spec } = parseStack(prod, FILE, "prod");
    expect(tierArtifact(spec, "frs")).toEqual({ kind: "executable", url: "https://artifacts.ibac.rik.ee/frs/ibac-frs-2.3.1", sha256: spec.frs.artifact.sha256 });
    expect(tierArtifact(spec, "api")).toEqual({ kind: "debianPackage", package: "ibac-api", version: "3.8.0-1", executable: "/usr/bin/ibac-api" });
  });

  it("refuses both kinds mixed in one artifact", () => {
    expect(rejection(withField(["frs", "artifact", "package"], "ibac-frs"))).toEqual([at("frs.artifact", `${EXPECTED_ARTIFACT}, found both kinds (url, sha256, package)`)]);
  });

  it("refuses a partial artifact of either kind, naming what is missing", () => {
    expect(rejection(withoutField(["frs", "artifact", "sha256"]))).toEqual([at("frs.artifact", `${EXPECTED_ARTIFACT}, found no sha256`)]);
    expect(rejection(withoutField(["api", "artifact", "version"]))).toEqual([at("api.artifact", `${EXPECTED_ARTIFACT}, found no version`)]);
    const both = withField(["api", "artifact"], { package: "ibac-api" });
    expect(rejection(both)).toEqual([at("api.artifact", `${EXPECTED_ARTIFACT}, found no version and no executable`)]);
  });

  it("refuses an artifact that is neither", () => {
    expect(rejection(withField(["api", "artifact"], {}))).toEqual([at("api.artifact", `${EXPECTED_ARTIFACT}, found neither`)]);
  });

  it("refuses an environment name the toolkit, the dynamic loader or systemd sets", () => {
    expect(rejection(withField(["api", "environment", "IBAC_DB_HOST"], "db.example.org"))).toEqual([
      at("api.environment.IBAC_DB_HOST", 'expected a name outside IBAC_* (the toolkit sets those: endpoints, credentials, paths), found "IBAC_DB_HOST"'),
    ]);
    expect(rejection(withField(["frs", "environment", "LD_PRELOAD"], "/tmp/x.so"))).toEqual([
      at("frs.environment.LD_PRELOAD", 'expected a name outside LD_* (the dynamic loader\'s: it would load code or libraries into the service), found "LD_PRELOAD"'),
    ]);
    const [notify] = rejection(withField(["frs", "environment", "NOTIFY_SOCKET"], "/run/x"));
    expect(notify).toMatch(/^stacks\/Pulumi\.prod\.yaml: ibac:platform\.frs\.environment\.NOTIFY_SOCKET: expected a name systemd does not set for the service \(SYSTEMD_\*, PATH, .*\), found "NOTIFY_SOCKET"$/);
  });

  it("refuses a health path that is not a path, and one with segments a server would normalise", () => {
    expect(rejection(withField(["api", "healthPath"], "healthz"))).toEqual([at("api.healthPath", 'expected the path that answers 200 when the instance can serve, such as /healthz, found "healthz"')]);
    expect(rejection(withField(["api", "healthPath"], "/a/../healthz"))).toEqual([
      at("api.healthPath", 'expected an absolute path without empty, "." or ".." segments (HAProxy asks it as written, the service may normalise it), found "/a/../healthz", which has a ".." segment'),
    ]);
    expect(rejection(withField(["frs", "healthPath"], "//healthz"))).toEqual([
      at("frs.healthPath", 'expected an absolute path without empty, "." or ".." segments (HAProxy asks it as written, the service may normalise it), found "//healthz", which has an empty segment (//)'),
    ]);
    for (const fine of ["/", "/healthz/", "/v1/health.json"]) expect(parseStack(withField(["api", "healthPath"], fine), FILE, "prod").spec.api.healthPath).toBe(fine);
  });

  it("refuses an environment value with a line break (it would start a second variable in the env file)", () => {
    expect(rejection(withField(["api", "environment", "API_LOG_LEVEL"], "info\nIBAC_DB_PASSWORD=x"))).toEqual([
      at("api.environment.API_LOG_LEVEL", "expected one line of printable text, found U+000A (line feed) at character 5"),
    ]);
    expect(rejection(withField(["api", "environment", "API_LOG_LEVEL"], 'info"x'))).toEqual([at("api.environment.API_LOG_LEVEL", 'expected a value of letters, digits, spaces and ._:/,=@+%-, found "info\\"x"')]);
  });

  it("refuses a service port the toolkit's own services take on the tier's VMs", () => {
    expect(rejection(withField(["frs", "port"], 9102))).toEqual([at("frs.port", "expected a port the toolkit does not use on the frs VMs, found 9102, already taken by Bacula director to the frs file daemon")]);
    expect(rejection(withField(["api", "port"], 5666))).toEqual([at("api.port", "expected a port the toolkit does not use on the api VMs, found 5666, already taken by server-level checks of the api VMs (NRPE)")]);
    // The API is no backup client: the file daemon's port is free there.
    expect(parseStack(withField(["api", "port"], 9102), FILE, "prod").spec.api.port).toBe(9102);
  });
});

describe("loadBalancer: the health-check timing and the count held to their meaning", () => {
  it("refuses a health-check timeout longer than its interval", () => {
    expect(rejection(withField(["loadBalancer", "healthCheck", "timeoutMs"], 600))).toEqual([
      at("loadBalancer.healthCheck.timeoutMs", "expected at most intervalMs (500): a check that outlives its interval delays the next one and the time to mark an instance down, found 600"),
    ]);
  });

  it("refuses a single load balancer", () => {
    expect(rejection(withField(["loadBalancer", "count"], 1))).toEqual([at("loadBalancer.count", "expected 2 or more (the API's address needs a second load balancer to move to), found 1")]);
  });
});

describe("pinnedArtifact (the one place the two kinds are told apart)", () => {
  it("reads each kind, and names the missing fields of a partial one", () => {
    expect(pinnedArtifact({ url: "https://a.example.org/x", sha256: "a".repeat(64) })).toEqual({ kind: "executable", url: "https://a.example.org/x", sha256: "a".repeat(64) });
    expect(pinnedArtifact({ package: "p", version: "1", executable: "/usr/bin/p" })).toEqual({ kind: "debianPackage", package: "p", version: "1", executable: "/usr/bin/p" });
    expect(pinnedArtifact({ url: "https://a.example.org/x" })).toBe(`${EXPECTED_ARTIFACT}, found no sha256`);
  });
});

describe("ibac plan with a bad application spec (the CLI path)", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("exit code 2, the file, the field path and the line, no stack trace, nothing on stdout", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-app-spec-"));
    dirs.push(dir);
    fs.mkdirSync(path.join(dir, "stacks"));
    fs.writeFileSync(path.join(dir, "stacks/Pulumi.bad.yaml"), withField(["api", "environment", "IBAC_DB_HOST"], "db.example.org"));
    const run = spawnSync(process.execPath, [path.join(PROJECT_DIR, "bin/ibac.js"), "plan", "--stack", "bad"], {
      cwd: PROJECT_DIR,
      env: { ...process.env, IBAC_PROJECT_DIR: dir },
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(run.status, run.stderr).toBe(2);
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines[0]).toBe('stacks/Pulumi.bad.yaml: ibac:platform.api.environment.IBAC_DB_HOST: expected a name outside IBAC_* (the toolkit sets those: endpoints, credentials, paths), found "IBAC_DB_HOST"');
    expect(lines[1]).toMatch(/^ {4}at line \d+, column \d+$/);
    expect(run.stderr).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
    expect(run.stdout).toBe("");
  });
});
