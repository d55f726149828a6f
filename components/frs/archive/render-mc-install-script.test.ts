import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeRun, requireTool, runTool } from "../../../test/support/require-tool";
import { run } from "../../../test/lab/run";
import { renderMcInstallScript } from "./render-mc-install-script";
import { prodArchiveStack } from "./test-plan";

const { spec } = prodArchiveStack();
const CLIENT_TEXT = "#!/bin/sh\necho stand-in mc\n";
const CLIENT_SHA256 = crypto.createHash("sha256").update(CLIENT_TEXT).digest("hex");
const tempDirs: string[] = [];
let server: http.Server;
let port = 0;

beforeAll(async () => {
  requireTool("curl", "curl");
  server = http.createServer((req, res) => {
    if (req.url === "/minio/mc") res.end(CLIENT_TEXT);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

async function install(digest: string): Promise<{ root: string; code: number; stdout: string; stderr: string }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-mc-install-"));
  tempDirs.push(root);
  const file = path.join(root, "ibac-mc-install");
  const client = { ...spec.objectStore.minioClient, url: `http://127.0.0.1:${port}/minio/mc`, sha256: digest };
  fs.writeFileSync(file, renderMcInstallScript(client, { binary: path.join(root, "usr/local/bin/mc") }), { mode: 0o755 });
  return { root, ...(await run("/bin/bash", [file], { env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } })) };
}

describe("renderMcInstallScript (the FRS VMs' MinIO client)", () => {
  it("pins the spec's client by URL and digest; bash -n and shellcheck accept it", () => {
    const script = renderMcInstallScript(spec.objectStore.minioClient);
    expect(script).toContain(`readonly CLIENT_URL=${spec.objectStore.minioClient.url}\n`);
    expect(script).toContain(`readonly CLIENT_SHA256=${spec.objectStore.minioClient.sha256}\n`);
    expect(script).toContain("readonly CLIENT_BINARY=/usr/local/bin/mc\n");
    expect(script).not.toMatch(/useradd|minio-user|\/usr\/local\/bin\/minio\b|systemctl/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-mc-install-check-"));
    tempDirs.push(dir);
    fs.writeFileSync(path.join(dir, "s"), script);
    const lint = runTool(requireTool("shellcheck", "shellcheck"), ["--shell=bash", "--severity=style", path.join(dir, "s")]);
    expect(lint.status, describeRun(lint)).toBe(0);
  });

  it("installs the client whose digest is pinned, root-owned 0755, and only it; a second run keeps it", async () => {
    const first = await install(CLIENT_SHA256);
    expect(first.code, first.stderr).toBe(0);
    const binary = path.join(first.root, "usr/local/bin/mc");
    expect(first.stdout).toBe(`ibac-mc-install: installed the MinIO client ${spec.objectStore.minioClient.release} at ${binary}\n`);
    expect(fs.readFileSync(binary, "utf8")).toBe(CLIENT_TEXT);
    expect(fs.statSync(binary).mode & 0o7777).toBe(0o755);
    expect(fs.readdirSync(first.root).sort()).toEqual(["ibac-mc-install", "usr"]);
  });

  it("refuses a client whose digest is not the spec's: exit 1, nothing installed", async () => {
    const wrong = "2".repeat(64);
    const result = await install(wrong);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`ibac-mc-install: refusing the binary from http://127.0.0.1:${port}/minio/mc: its SHA-256 is ${CLIENT_SHA256}, the spec pins ${wrong} (objectStore.minioClient.sha256); nothing was installed`);
    expect(fs.readdirSync(path.join(result.root, "usr/local/bin"))).toEqual([]);
  });

  it("refuses a URL with a line break and a binary path with a space", () => {
    expect(() => renderMcInstallScript({ ...spec.objectStore.minioClient, url: "https://a.example.org/mc\nrm" })).toThrow('renderMcInstallScript: objectStore.minioClient.url: expected an http(s) URL of a file such as https://artifacts.example.org/minio/minio.RELEASE.2025-09-07T16-13-09Z, found "https://a.example.org/mc\\nrm"');
    expect(() => renderMcInstallScript(spec.objectStore.minioClient, { binary: "/usr/local/bin/my mc" })).toThrow("renderMcInstallScript: binary: expected an absolute path");
  });
});
