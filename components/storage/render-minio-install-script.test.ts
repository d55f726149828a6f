import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeRun, requireTool, runTool, type ToolResult } from "../../test/support/require-tool";
import { renderMinioInstallScript } from "./render-minio-install-script";
import { storageStack } from "../../test/fixtures/storage-stacks";
import { startArtifactServer, startPortReportingServer, type ArtifactServer } from "../../test/support/artifact-server";

const { spec, plan } = storageStack("prod");
const PROD_MINIO = spec.objectStore.minio;
const SERVICE = plan.service;

const tempDirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

function expectOk(result: ToolResult): void {
  expect(result.status, describeRun(result)).toBe(0);
}

describe("renderMinioInstallScript", () => {
  const script = renderMinioInstallScript(PROD_MINIO, SERVICE);

  it("pins the prod binary by URL and digest, installs to /usr/local/bin and never enables minio.service", () => {
    expect(script).toContain(`readonly URL=${PROD_MINIO.url}\n`);
    expect(script).toContain(`readonly SHA256=${PROD_MINIO.sha256}\n`);
    expect(script).toContain("readonly BINARY=/usr/local/bin/minio\n");
    expect(script).toContain("readonly CERTS_DIR=/etc/minio/certs\n");
    expect(script).toContain("--proto =https --proto-redir =https --tlsv1.2");
    expect(script).not.toMatch(/systemctl (enable|start)/);
    expect(script).not.toContain("--prefix");
  });

  it("bash -n and shellcheck accept it", () => {
    const dir = tempDir("ibac-minio-install-check-");
    const file = path.join(dir, "ibac-minio-install");
    fs.writeFileSync(file, script, { mode: 0o755 });
    expectOk(runTool(requireTool("bash", "bash"), ["-n", file]));
    expectOk(runTool(requireTool("shellcheck", "shellcheck"), ["--shell=bash", "--severity=style", file]));
  });

  it.each([
    ["a URL with a shell substitution", { url: "https://a.example.org/$(id)" }, 'renderMinioInstallScript: objectStore.minio.url: expected an http(s) URL of a file such as https://artifacts.example.org/minio/minio.RELEASE.2025-09-07T16-13-09Z, found "https://a.example.org/$(id)"'],
    ["a URL with a line break", { url: "https://a.example.org/minio\nrm" }, 'renderMinioInstallScript: objectStore.minio.url: expected an http(s) URL of a file such as https://artifacts.example.org/minio/minio.RELEASE.2025-09-07T16-13-09Z, found "https://a.example.org/minio\\nrm"'],
    ["an ftp URL", { url: "ftp://a.example.org/minio" }, "renderMinioInstallScript: objectStore.minio.url: expected an http(s) URL"],
    ["an upper-case digest", { sha256: "A".repeat(64) }, `renderMinioInstallScript: objectStore.minio.sha256: expected 64 lower-case hex digits, found "${"A".repeat(64)}"`],
    ["a short digest", { sha256: "abc" }, 'renderMinioInstallScript: objectStore.minio.sha256: expected 64 lower-case hex digits, found "abc"'],
    ["\"latest\" as the release", { release: "latest" }, 'renderMinioInstallScript: objectStore.minio.release: expected a release such as RELEASE.2025-09-07T16-13-09Z, found "latest"'],
  ])("refuses %s", (_what, change, message) => {
    expect(() => renderMinioInstallScript({ ...PROD_MINIO, ...change }, SERVICE)).toThrow(message);
  });

  it("refuses a test root a shell would split", () => {
    expect(() => renderMinioInstallScript(PROD_MINIO, SERVICE, { root: "/tmp/a b" })).toThrow("renderMinioInstallScript: root: expected an absolute path");
  });
});

// ---------------------------------------------------------------------------------------------------------
// A real run: the rendered script downloads from a python3 http.server on 127.0.0.1 (a random port) into a
// temporary root; useradd --prefix edits that root's account files, never this machine's. The "binary" is a
// stand-in file: no MinIO binary exists here, so what is proven is the download, the digest gate and the
// install, not that MinIO runs.
// ---------------------------------------------------------------------------------------------------------

const BINARY_TEXT = "#!/bin/sh\necho 'stand-in for the operator's MinIO binary'\n";
const BINARY_SHA256 = crypto.createHash("sha256").update(BINARY_TEXT).digest("hex");
let server: ArtifactServer | undefined;
let port = 0;
let serveDir = "";

beforeAll(async () => {
  serveDir = tempDir("ibac-minio-artifacts-");
  fs.mkdirSync(path.join(serveDir, "minio"));
  fs.writeFileSync(path.join(serveDir, "minio", `minio.${PROD_MINIO.release}`), BINARY_TEXT);
  server = await startArtifactServer(serveDir);
  port = server.port;
});

afterAll(() => {
  server?.stop();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A temporary root with the account files useradd --prefix edits. */
function vmRoot(): string {
  const root = tempDir("ibac-minio-root-");
  fs.mkdirSync(path.join(root, "etc"));
  fs.writeFileSync(path.join(root, "etc/passwd"), "root:x:0:0:root:/root:/bin/bash\n");
  fs.writeFileSync(path.join(root, "etc/group"), "root:x:0:\n");
  fs.writeFileSync(path.join(root, "etc/shadow"), "root:*:19000:0:99999:7:::\n", { mode: 0o600 });
  fs.writeFileSync(path.join(root, "etc/gshadow"), "root:*::\n", { mode: 0o600 });
  return root;
}

function runInstall(root: string, digest: string): ToolResult {
  const minio = { ...PROD_MINIO, url: `http://127.0.0.1:${port}/minio/minio.${PROD_MINIO.release}`, sha256: digest };
  const file = path.join(root, "ibac-minio-install");
  fs.writeFileSync(file, renderMinioInstallScript(minio, SERVICE, { root }), { mode: 0o755 });
  return runTool(requireTool("bash", "bash"), [file], { timeout: 60_000 });
}

describe("the install script, run against a loopback HTTP server in a temporary root", () => {
  it("installs a binary whose digest is the spec's: root-owned 0755, the user, the certificate directory", () => {
    requireTool("curl", "curl");
    requireTool("useradd", "passwd");
    const root = vmRoot();
    const result = runInstall(root, BINARY_SHA256);
    expectOk(result);
    expect(result.stdout).toContain(`installed MinIO ${PROD_MINIO.release}`);
    const binary = fs.statSync(path.join(root, "usr/local/bin/minio"));
    expect(binary.mode & 0o7777).toBe(0o755);
    expect([binary.uid, binary.gid]).toEqual([0, 0]);
    expect(fs.readFileSync(path.join(root, "usr/local/bin/minio"), "utf8")).toBe(BINARY_TEXT);
    const passwd = fs.readFileSync(path.join(root, "etc/passwd"), "utf8");
    const entry = /^minio-user:x:(\d+):(\d+)::\/nonexistent:\/usr\/sbin\/nologin$/m.exec(passwd);
    expect(entry, passwd).not.toBeNull();
    const certs = fs.statSync(path.join(root, "etc/minio/certs"));
    expect(certs.mode & 0o7777).toBe(0o750);
    expect([certs.uid, certs.gid]).toEqual([0, Number(entry?.[2])]);
    expect(fs.statSync(path.join(root, "etc/minio/certs/CAs")).isDirectory()).toBe(true);
    expect(fs.statSync(path.join(root, "srv/minio")).mode & 0o7777).toBe(0o755);
    // Nothing left behind from the download.
    expect(fs.readdirSync(path.join(root, "usr/local/bin"))).toEqual(["minio"]);
  });

  it("installs the pinned MinIO client beside the server, and refuses one whose digest is not the spec's", () => {
    // The same bytes serve as the client here: what is checked is the pinning, not what mc is.
    const client = { url: `http://127.0.0.1:${port}/minio/minio.${PROD_MINIO.release}`, sha256: BINARY_SHA256, release: "RELEASE.2025-08-13T08-35-41Z" };
    const minio = { ...PROD_MINIO, url: client.url, sha256: BINARY_SHA256 };
    const run = (clientDigest: string): { root: string; result: ToolResult } => {
      const root = vmRoot();
      const file = path.join(root, "ibac-minio-install");
      fs.writeFileSync(file, renderMinioInstallScript(minio, SERVICE, { root, client: { ...client, sha256: clientDigest } }), { mode: 0o755 });
      return { root, result: runTool(requireTool("bash", "bash"), [file], { timeout: 60_000 }) };
    };
    const good = run(BINARY_SHA256);
    expectOk(good.result);
    expect(good.result.stdout).toContain(`installed the MinIO client ${client.release} at ${path.join(good.root, "usr/local/bin/mc")}`);
    expect(fs.statSync(path.join(good.root, "usr/local/bin/mc")).mode & 0o7777).toBe(0o755);
    const wrong = "1".repeat(64);
    const bad = run(wrong);
    expect(bad.result.status, describeRun(bad.result)).toBe(1);
    expect(bad.result.stderr).toContain(`the spec pins ${wrong} (objectStore.minioClient.sha256); nothing was installed`);
    expect(fs.existsSync(path.join(bad.root, "usr/local/bin/mc"))).toBe(false);
  });

  it("refuses a binary whose digest is not the spec's: exit 1, a clear message, nothing installed", () => {
    const root = vmRoot();
    const wrong = "0".repeat(64);
    const result = runInstall(root, wrong);
    expect(result.status, describeRun(result)).toBe(1);
    expect(result.stderr).toBe(
      `ibac-minio-install: refusing the binary from http://127.0.0.1:${port}/minio/minio.${PROD_MINIO.release}: its SHA-256 is ${BINARY_SHA256}, the spec pins ${wrong} (objectStore.minio.sha256); nothing was installed\n`,
    );
    expect(fs.readdirSync(path.join(root, "usr/local/bin"))).toEqual([]);
    expect(fs.readFileSync(path.join(root, "etc/passwd"), "utf8")).not.toContain("minio-user");
  });

  it("is idempotent: a second run keeps the installed binary and the user, and downloads nothing", () => {
    const root = vmRoot();
    expectOk(runInstall(root, BINARY_SHA256));
    const passwd = fs.readFileSync(path.join(root, "etc/passwd"), "utf8");
    // The artifact is gone from the server: a second run that tried to download would fail.
    const artifact = path.join(serveDir, "minio", `minio.${PROD_MINIO.release}`);
    fs.renameSync(artifact, `${artifact}.away`);
    try {
      const again = runInstall(root, BINARY_SHA256);
      expectOk(again);
      expect(again.stdout).toContain(`/usr/local/bin/minio is already the pinned MinIO ${PROD_MINIO.release}`);
    } finally {
      fs.renameSync(`${artifact}.away`, artifact);
    }
    expect(fs.readFileSync(path.join(root, "etc/passwd"), "utf8")).toBe(passwd);
  });

  it("fails clearly when the artifact cannot be downloaded", () => {
    const root = vmRoot();
    const file = path.join(root, "ibac-minio-install");
    const minio = { ...PROD_MINIO, url: `http://127.0.0.1:${port}/minio/missing`, sha256: BINARY_SHA256 };
    fs.writeFileSync(file, renderMinioInstallScript(minio, SERVICE, { root }), { mode: 0o755 });
    const result = runTool("/bin/bash", [file]);
    expect(result.status, describeRun(result)).toBe(1);
    expect(result.stderr).toContain(`ibac-minio-install: could not download MinIO ${PROD_MINIO.release} from http://127.0.0.1:${port}/minio/missing`);
  });
});

// Over TLS: a python3 HTTPS server on 127.0.0.1 with a throwaway certificate for 127.0.0.1, trusted through
// CURL_CA_BUNDLE as the VM would trust the artifact server's CA; /redirect/... answers 302 to the plain http server.
const HTTPS_SERVER = `import http.server, ssl, sys
root, cert, key, http_port = sys.argv[1:5]
class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=root, **kwargs)
    def do_GET(self):
        if self.path.startswith("/redirect/"):
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:%s/%s" % (http_port, self.path[len("/redirect/"):]))
            self.end_headers()
            return
        super().do_GET()
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
print("port %d" % server.server_address[1], flush=True)
server.serve_forever()
`;

describe("the install script over TLS", () => {
  let https: ArtifactServer | undefined;
  let httpsPort = 0;
  let caFile = "";

  beforeAll(async () => {
    const openssl = requireTool("openssl", "openssl");
    const dir = tempDir("ibac-minio-tls-");
    caFile = path.join(dir, "cert.pem");
    const made = runTool(openssl, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=127.0.0.1",
      "-addext", "subjectAltName=IP:127.0.0.1", "-days", "1", "-keyout", path.join(dir, "key.pem"), "-out", caFile]);
    expect(made.status, describeRun(made)).toBe(0);
    fs.writeFileSync(path.join(dir, "server.py"), HTTPS_SERVER);
    https = await startPortReportingServer(requireTool("python3", "python3"), ["-u", path.join(dir, "server.py"), serveDir, caFile, path.join(dir, "key.pem"), String(port)], "the python3 HTTPS server");
    httpsPort = https.port;
  });

  afterAll(() => {
    https?.stop();
  });

  function runHttps(urlPath: string, trustCa: boolean): { root: string; result: ToolResult } {
    const root = vmRoot();
    const minio = { ...PROD_MINIO, url: `https://127.0.0.1:${httpsPort}${urlPath}`, sha256: BINARY_SHA256 };
    const file = path.join(root, "ibac-minio-install");
    fs.writeFileSync(file, renderMinioInstallScript(minio, SERVICE, { root }), { mode: 0o755 });
    const env = { ...process.env, CURL_CA_BUNDLE: trustCa ? caFile : path.join(root, "etc/passwd") };
    return { root, result: runTool("/bin/bash", [file], { env, timeout: 60_000 }) };
  }

  it("downloads over TLS from a server whose certificate the VM trusts", () => {
    const { root, result } = runHttps(`/minio/minio.${PROD_MINIO.release}`, true);
    expect(result.status, describeRun(result)).toBe(0);
    expect(fs.readFileSync(path.join(root, "usr/local/bin/minio"), "utf8")).toBe(BINARY_TEXT);
  });

  it("refuses a server whose certificate it cannot verify: nothing installed", () => {
    const { root, result } = runHttps(`/minio/minio.${PROD_MINIO.release}`, false);
    expect(result.status, describeRun(result)).toBe(1);
    expect(result.stderr).toContain("ibac-minio-install: could not download MinIO");
    expect(fs.readdirSync(path.join(root, "usr/local/bin"))).toEqual([]);
  });

  it("refuses a redirect from https to plain http: nothing installed", () => {
    const { root, result } = runHttps(`/redirect/minio/minio.${PROD_MINIO.release}`, true);
    expect(result.status, describeRun(result)).toBe(1);
    expect(result.stderr).toMatch(/Protocol "http" not supported|disabled/);
    expect(result.stderr).toContain("ibac-minio-install: could not download MinIO");
    expect(fs.readdirSync(path.join(root, "usr/local/bin"))).toEqual([]);
  });
});
