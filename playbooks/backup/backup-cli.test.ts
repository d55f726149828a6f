import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireTool } from "../../test/support/require-tool";
import { backupInventory } from "./fake-bacula";

const projectDir = path.resolve(__dirname, "..", "..");

function ibac(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [path.join(projectDir, "bin/ibac.js"), ...args], { cwd: projectDir, encoding: "utf8", timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

// The backup runbooks through the real CLI: registration, options, the inventory file, the plan's restore
// points (the lab stack's Bacula plan and the simulator) and the exit codes. Every host is 127.0.0.1 on a
// port nothing listens on (VMs that do not answer); no director is reached.
describe("ibac runbook with the backup runbooks", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-backup-cli-"));
  let files: { inventory: string; identity: string; knownHosts: string; audit: string };

  beforeAll(async () => {
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, "127.0.0.1", () => {
        const { port: p } = server.address() as net.AddressInfo;
        server.close(() => resolve(p));
      });
    });
    const identity = path.join(dir, "id_ed25519");
    const keygen = spawnSync(requireTool("ssh-keygen", "openssh-client"), ["-q", "-t", "ed25519", "-N", "", "-f", identity], { encoding: "utf8" });
    expect(keygen.status, keygen.stderr).toBe(0);
    const silent = (h: { name: string; ssh: { user: string; sudo: boolean } }): { name: string; address: string; ssh: { port: number; user: string; sudo: boolean } } => ({ ...h, address: "127.0.0.1", ssh: { ...h.ssh, port } });
    const inventory = path.join(dir, "backup.json");
    // The lab plan's job and file set names, so the plan's restore points apply to them.
    fs.writeFileSync(inventory, `${JSON.stringify({
      stack: "lab", director: backupInventory.director, restoreRoot: backupInventory.restoreRoot,
      backupHosts: backupInventory.backupHosts.map(silent),
      clients: [{ name: "s3-fd", host: silent({ name: "s3-fd", ssh: { user: "root", sudo: false } }) }],
      jobs: [{ name: "Backup-Photos", client: "s3-fd", fileSet: "Photos", include: ["/srv/minio/export/photos"] }],
    }, null, 2)}\n`);
    files = { inventory, identity, knownHosts: path.join(dir, "known_hosts"), audit: path.join(dir, "audit.jsonl") };
    fs.writeFileSync(files.knownHosts, "");
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const common = (): string[] => ["--stack", "lab", "--inventory", files.inventory, "--identity", files.identity, "--known-hosts", files.knownHosts, "--audit-log", files.audit];

  it("--list shows both with their options", () => {
    const run = ibac(["runbook", "--list"]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^ {2}backup-restore {6}restore a path as it was at a time/m);
    expect(run.stdout).toMatch(/^ {2}backup-verify {7}Bacula's verify job \(VolumeToCatalog\)/m);
    expect(run.stdout).toContain("--at <TIME>");
  });

  it("backup-restore without --at: exit 2", () => {
    const run = ibac(["runbook", "backup-restore", ...common(), "--path", "/srv/minio/export/photos/a.jpg"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("ibac runbook: backup-restore needs --at <TIME>: ISO 8601 with a zone: restore the state of the newest restore point at or before it");
  });

  it("backup-restore with a dot-dot path: exit 2, nothing reached", () => {
    const run = ibac(["runbook", "backup-restore", ...common(), "--path", "/srv/minio/export/photos/../../../../etc/shadow", "--at", new Date(Date.now() - 3_600_000).toISOString(), "--dry-run"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('ibac runbook: --path: expected an absolute path without control characters, quotes ("), backslashes, or ".", ".." or empty segments, found "/srv/minio/export/photos/../../../../etc/shadow"');
  });

  it("backup-restore before the plan's oldest restore point: exit 2, naming it", () => {
    const run = ibac(["runbook", "backup-restore", ...common(), "--path", "/srv/minio/export/photos/a.jpg", "--at", "2020-01-01T00:00:00Z", "--dry-run"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/ibac runbook: --at: 2020-01-01T00:00:00\.000Z is before the oldest restore point of Backup-Photos the plan keeps \(\d{4}-\d{2}-\d{2}T\d{2}:05:00\.000Z, Full in \S+\)/);
  });

  it("a valid request with the director's VMs silent: refused, exit 3", () => {
    const run = ibac(["runbook", "backup-restore", ...common(), "--path", "/srv/minio/export/photos/a.jpg", "--at", new Date(Date.now() - 3_600_000).toISOString(), "--dry-run"]);
    expect(run.status, run.stdout + run.stderr).toBe(3);
    expect(run.stdout).toContain("    STOP: the director is not reachable: bacula-director.service runs on no backup VM (backup-1 unreachable, backup-2 unreachable)");
  });

  it("backup-verify with the director's VMs silent: exit 3; an unknown --client: exit 2", () => {
    const run = ibac(["runbook", "backup-verify", ...common()]);
    expect(run.status, run.stdout + run.stderr).toBe(3);
    const unknown = ibac(["runbook", "backup-verify", ...common(), "--client", "x-fd"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('ibac runbook: --client: expected one of s3-fd, found "x-fd"');
  });
});
