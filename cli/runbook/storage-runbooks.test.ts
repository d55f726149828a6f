import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireTool } from "../../test/support/require-tool";
import { storageInventory } from "../../test/support/storage-pair";

const projectDir = path.resolve(__dirname, "..", "..");

function ibac(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [path.join(projectDir, "bin/ibac.js"), ...args], { cwd: projectDir, encoding: "utf8", timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

// The storage runbooks through the real CLI: registration, options, the inventory file and the exit codes.
// Hosts are 127.0.0.1 on a port nothing listens on (a VM that does not answer); no live pair is reached.
describe("ibac runbook with the storage runbooks", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-storage-cli-"));
  const closedPorts: number[] = [];
  let files: { inventory: string; identity: string; knownHosts: string; audit: string };

  beforeAll(async () => {
    // Ports that were free a moment ago: connections to them are refused (a VM that does not answer).
    for (let i = 0; i < 2; i++) {
      closedPorts.push(await new Promise<number>((resolve) => {
        const server = net.createServer().listen(0, "127.0.0.1", () => {
          const { port } = server.address() as net.AddressInfo;
          server.close(() => resolve(port));
        });
      }));
    }
    const identity = path.join(dir, "id_ed25519");
    const keygen = spawnSync(requireTool("ssh-keygen", "openssh-client"), ["-q", "-t", "ed25519", "-N", "", "-f", identity], { encoding: "utf8" });
    expect(keygen.status, keygen.stderr).toBe(0);
    const inventory = path.join(dir, "storage.json");
    const hosts = storageInventory.hosts.map((h, i) => ({ ...h, address: "127.0.0.1", ssh: { ...h.ssh, port: closedPorts[i] } }));
    fs.writeFileSync(inventory, `${JSON.stringify({ ...storageInventory, hosts }, null, 2)}\n`);
    files = { inventory, identity, knownHosts: path.join(dir, "known_hosts"), audit: path.join(dir, "audit.jsonl") };
    fs.writeFileSync(files.knownHosts, "");
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const common = (): string[] => ["--stack", "lab", "--inventory", files.inventory, "--identity", files.identity, "--known-hosts", files.knownHosts, "--audit-log", files.audit];

  it("--list shows the three storage runbooks and their options", () => {
    const run = ibac(["runbook", "--list"]);
    expect(run.status, run.stderr).toBe(0);
    // Summaries start in one column, the longest name's width plus one.
    expect(run.stdout).toMatch(/^ {2}storage-status {6}the object store at a glance/m);
    expect(run.stdout).toMatch(/^ {2}storage-switchover {2}planned move of the Promoted role/m);
    expect(run.stdout).toMatch(/^ {2}storage-split-brain detect a DRBD split brain/m);
    expect(run.stdout).toMatch(/^ {2}db-switchover {7}planned role change/m);
    expect(run.stdout).toContain("--keep-unpromoted");
  });

  it("a bad storage inventory: exit 2, file and field", () => {
    const bad = path.join(dir, "bad.json");
    fs.writeFileSync(bad, `${JSON.stringify({ ...storageInventory, drbd: { ...storageInventory.drbd, device: "/dev/sda" } }, null, 2)}\n`);
    const run = ibac(["runbook", "storage-status", "--stack", "lab", "--inventory", bad, "--dry-run"]);
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr.split("\n")[0]).toBe(`${bad}: drbd.device: expected a DRBD device such as /dev/drbd0, found "/dev/sda"`);
  });

  it("storage-status with both VMs silent: it still reports, and exits 6 (down)", () => {
    const run = ibac(["runbook", "storage-status", ...common()]);
    expect(run.status, run.stdout + run.stderr).toBe(6);
    expect(run.stdout).toContain("    DOWN: no storage VM's crm_mon answered with quorum");
    expect(run.stdout).toContain(`      s3-1: not readable: s3-1 (root@127.0.0.1:${closedPorts[0]}): unreachable (ECONNREFUSED)`);
  });

  it("storage-split-brain --keep needs --copy-to or --no-copy; --no-copy reaches the hosts (which do not answer: exit 2)", () => {
    const without = ibac(["runbook", "storage-split-brain", ...common(), "--keep", "s3-1", "--dry-run"]);
    expect(without.status).toBe(2);
    expect(without.stderr).toContain("ibac runbook: --keep discards the other side's changes since the split: pass --copy-to <file> to keep a copy of its volume first, or --no-copy if you saved it yourself");
    const noCopy = ibac(["runbook", "storage-split-brain", ...common(), "--keep", "s3-1", "--no-copy", "--dry-run"]);
    expect(noCopy.status).toBe(2);
    expect(noCopy.stderr).toContain(`ibac runbook: s3-1 (root@127.0.0.1:${closedPorts[0]}): unreachable (ECONNREFUSED)`);
  });

  it("storage-switchover --to an unknown VM: exit 2", () => {
    const run = ibac(["runbook", "storage-switchover", ...common(), "--to", "s3-3", "--dry-run"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('ibac runbook: --to: expected one of s3-1, s3-2, found "s3-3"');
  });
});
