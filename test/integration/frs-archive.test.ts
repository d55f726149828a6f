import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderArchiveScript } from "../../components/frs/archive/render-archive-script";
import { prodArchiveStack } from "../../components/frs/archive/test-plan";
import type { FrsArchivePlan } from "../../components/frs/archive/archive-plan";
import { run, type RunResult } from "../lab/run";
import { requireTool } from "../support/require-tool";
import { LAB_S3_NAME, makeLabTls, requireS3Lab, startMoto, type LabTls, type MotoServer, type S3LabChroot } from "../lab/s3/s3-lab";
import { startFaultProxy, type FaultProxy } from "../lab/s3/fault-proxy";

// The FRS local-retention job (components/frs/archive/render-archive-script.ts) as rendered for the prod stack,
// with only its paths and the endpoint changed for the lab, run against a real S3 server over TLS: python3-moto's
// server (trixie; it enforces bucket versioning) with a lab CA, through the real MinIO client (trixie's
// minio-client, the `mc` the storage tier pins). Both come from the chroot scripts/build-s3-lab.sh builds.
//
// What this proves: the job's S3 protocol (upload with metadata, version id, read-back of that version, the
// TLS verification against the CA in mc's config dir) and that a failed, cut, killed or corrupted transfer
// deletes nothing. What it does not: MinIO itself (no MinIO server exists in Debian or npm; the object store's
// own tests run it), moto checks no signatures (the keys reach mc, nothing here proves MinIO accepts them),
// and the unit's sandbox (systemd is not PID 1 here: the job runs as root without it; systemd-analyze verifies
// the unit offline). The S3 client is trixie's mc (2025-04), the pinned production mc may be newer.

const ACCESS = "ibac-frs";
const SECRET = "FrsLabSecret0123456789";
const DAY = 24 * 3600 * 1000;

let lab: S3LabChroot;
let tls: LabTls;
let moto: MotoServer;
const extraServers: MotoServer[] = [];
const proxies: FaultProxy[] = [];
const tempDirs: string[] = [];
let bucketCount = 0;

beforeAll(async () => {
  lab = requireS3Lab();
  tls = await makeLabTls(lab);
  moto = await startMoto(lab, tls);
}, 60_000);

afterAll(async () => {
  for (const p of proxies) await p.close();
  for (const s of [...extraServers, ...(moto ? [moto] : [])]) await s.stop();
  for (const dir of [...tempDirs, ...(tls ? [tls.hostDir] : [])]) fs.rmSync(dir, { recursive: true, force: true });
});

/** The lab's own mc (a test's look into the bucket, not the job's), with the lab CA and the keys in MC_HOST_lab. */
async function mc(port: number, args: string[]): Promise<RunResult> {
  const config = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-frs-archive-mc-"));
  tempDirs.push(config);
  fs.mkdirSync(path.join(config, "certs/CAs"), { recursive: true });
  fs.copyFileSync(tls.ca.cert, path.join(config, "certs/CAs/lab-ca.pem"));
  return run(lab.mc, ["--config-dir", config, "--resolve", `${LAB_S3_NAME}:${port}=127.0.0.1`, "--no-color", ...args], {
    env: { PATH: process.env.PATH, MC_HOST_lab: `https://${ACCESS}:${SECRET}@${LAB_S3_NAME}:${port}` },
  });
}

async function mcOk(port: number, args: string[]): Promise<string> {
  const result = await mc(port, args);
  if (result.code !== 0) throw new Error(`mc ${args.join(" ")}: exit ${result.code}\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** A fresh bucket on `server`, versioned unless told otherwise. */
async function makeBucket(server: MotoServer, versioned = true): Promise<string> {
  bucketCount += 1;
  const bucket = `ibac-frs-archive-${bucketCount}`;
  await mcOk(server.port, ["mb", `lab/${bucket}`]);
  if (versioned) await mcOk(server.port, ["version", "enable", `lab/${bucket}`]);
  return bucket;
}

interface Job {
  dir: string;
  dataDir: string;
  stateDir: string;
  plan: FrsArchivePlan;
  put(rel: string, content: Buffer | string, ageDays: number): string;
  /** Runs the job; `asUser` runs it as that uid and gid (setpriv), as the unit's User= does. */
  run(asUser?: number): Promise<RunResult>;
}

/** The prod FRS VM's job with lab paths: its data directory, state, the chroot's mc, the lab CA, `port` on 127.0.0.1. */
function job(bucket: string, port: number, change: Partial<FrsArchivePlan> = {}): Job {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-frs-archive-"));
  tempDirs.push(dir);
  const dataDir = path.join(dir, "data");
  const stateDir = path.join(dir, "state");
  fs.mkdirSync(dataDir);
  fs.mkdirSync(stateDir);
  const plan: FrsArchivePlan = {
    ...prodArchiveStack().plan,
    dataDir, stateDir, bucket, mcBinary: lab.mc, caFile: tls.ca.cert,
    endpoint: { serverName: LAB_S3_NAME, port, address: "127.0.0.1" },
    ...change,
  };
  const script = path.join(dir, "ibac-frs-archive");
  fs.writeFileSync(script, renderArchiveScript(plan), { mode: 0o755 });
  return {
    dir, dataDir, stateDir, plan,
    put(rel, content, ageDays) {
      const file = path.join(dataDir, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
      const when = new Date(Date.now() - ageDays * DAY);
      fs.utimesSync(file, when, when);
      return file;
    },
    run: (asUser) => run(asUser === undefined ? "/bin/bash" : requireTool("setpriv", "util-linux"), [
      ...(asUser === undefined ? [] : [`--reuid=${asUser}`, `--regid=${asUser}`, "--clear-groups", "--", "/bin/bash"]), script,
    ], {
      env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", IBAC_S3_ACCESS_KEY: ACCESS, IBAC_S3_SECRET_KEY: SECRET },
      timeoutMs: 180_000,
    }),
  };
}

const sha256 = (data: Buffer | string): string => crypto.createHash("sha256").update(data).digest("hex");
const describeJob = (r: RunResult): string => `exit ${r.code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;

/** The object keys in a bucket. */
async function keys(port: number, bucket: string): Promise<string[]> {
  const out = await mcOk(port, ["ls", "--recursive", "--json", `lab/${bucket}`]);
  return out.split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { key: string }).key).sort();
}

async function storedSha256(port: number, bucket: string, key: string): Promise<string> {
  const config = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-frs-archive-get-"));
  tempDirs.push(config);
  const out = path.join(config, "object");
  await mcOk(port, ["cp", "--quiet", `lab/${bucket}/${key}`, out]);
  return sha256(fs.readFileSync(out));
}

describe("the FRS archive job against a real S3 server (moto, TLS, a versioned bucket) with the real MinIO client", () => {
  it("archives what is older than the retention and deletes it here; newer files and the directories stay; the objects are the local bytes", async () => {
    const bucket = await makeBucket(moto);
    const j = job(bucket, moto.port);
    const photo = crypto.randomBytes(300_000);
    j.put("old/photo.bin", photo, 20);
    j.put("2026/11/15/result.json", '{"match":0.97}\n', 14.01);
    j.put("recent.json", "{}\n", 1);
    j.put("almost.json", "{}\n", 13.99);

    const result = await j.run();
    expect(result.code, describeJob(result)).toBe(0);
    expect(result.stdout).toContain("ibac-frs-archive: 2 archived and deleted, 0 kept after a failure, 0 skipped for their names");
    expect(result.stdout).toMatch(/archived old\/photo\.bin as ibac-frs-archive-\d+\/frs-1\/old\/photo\.bin \(300000 bytes, sha256 [0-9a-f]{64}, version \S+\) and deleted it here/);
    expect(fs.existsSync(path.join(j.dataDir, "old/photo.bin"))).toBe(false);
    expect(fs.existsSync(path.join(j.dataDir, "2026/11/15/result.json"))).toBe(false);
    expect(fs.readdirSync(j.dataDir).sort()).toEqual(["2026", "almost.json", "old", "recent.json"]);
    expect(fs.statSync(path.join(j.dataDir, "2026/11/15")).isDirectory()).toBe(true);

    expect(await keys(moto.port, bucket)).toEqual(["frs-1/2026/11/15/result.json", "frs-1/old/photo.bin"]);
    expect(await storedSha256(moto.port, bucket, "frs-1/old/photo.bin")).toBe(sha256(photo));
    const stat = JSON.parse(await mcOk(moto.port, ["--json", "stat", `lab/${bucket}/frs-1/old/photo.bin`])) as { metadata: Record<string, string>; versionID: string };
    expect(stat.metadata["X-Amz-Meta-Ibac-Sha256"]).toBe(sha256(photo));
    expect(stat.versionID).toMatch(/^[A-Za-z0-9-]+$/);
    expect(await mcOk(moto.port, ["version", "info", `lab/${bucket}`])).toContain("versioning is enabled");
    expect(Number(fs.readFileSync(path.join(j.stateDir, "last-success"), "utf8"))).toBeGreaterThan(Date.now() / 1000 - 600);

    // Nothing old left: the next run does nothing and succeeds.
    const again = await j.run();
    expect(again.code, describeJob(again)).toBe(0);
    expect(again.stdout).toContain("0 archived and deleted, 0 kept after a failure, 0 skipped for their names");
  }, 120_000);

  it("a later file under the same name becomes a second version: the first archive is never overwritten", async () => {
    const bucket = await makeBucket(moto);
    const j = job(bucket, moto.port);
    j.put("daily/summary.json", "first\n", 30);
    expect((await j.run()).code).toBe(0);
    j.put("daily/summary.json", "second\n", 30);
    const result = await j.run();
    expect(result.code, describeJob(result)).toBe(0);
    const versions = (await mcOk(moto.port, ["ls", "--versions", "--json", `lab/${bucket}/frs-1/daily/summary.json`])).split("\n").filter(Boolean);
    expect(versions).toHaveLength(2);
    const first = (JSON.parse(versions[1]) as { versionId: string }).versionId;
    const out = await mcOk(moto.port, ["cat", "--vid", first, `lab/${bucket}/frs-1/daily/summary.json`]);
    expect(out).toBe("first\n");
  }, 120_000);

  it("an upload cut half way (every PUT cut after 1 MiB): the file stays here unchanged, nothing is stored, the run exits 1; a small file still goes", async () => {
    const bucket = await makeBucket(moto);
    const proxy = await startFaultProxy(tls, moto.port, { kind: "cutPut", afterBytes: 1 << 20 });
    proxies.push(proxy);
    const j = job(bucket, proxy.port);
    const big = crypto.randomBytes(8 << 20);
    const bigFile = j.put("scans/big.bin", big, 20);
    j.put("scans/small.json", "{}\n", 20);

    const result = await j.run();
    expect(result.code, describeJob(result)).toBe(1);
    expect(proxy.cuts, describeJob(result)).toBeGreaterThan(0);
    expect(result.stderr).toMatch(/ibac-frs-archive: scans\/big\.bin: upload failed \(.*\): kept\n/);
    expect(result.stdout).toContain("1 archived and deleted, 1 kept after a failure, 0 skipped for their names");
    expect(sha256(fs.readFileSync(bigFile))).toBe(sha256(big));
    expect(await keys(moto.port, bucket)).toEqual(["frs-1/scans/small.json"]);
    expect(fs.existsSync(path.join(j.stateDir, "last-success"))).toBe(false);
    expect(`${result.stdout}${result.stderr}`).not.toContain(SECRET);
  }, 180_000);

  it("the S3 server killed with kill -9 in the middle of an upload: the file stays here, the run exits 1", async () => {
    const doomed = await startMoto(lab, tls);
    extraServers.push(doomed);
    const bucket = await makeBucket(doomed);
    const proxy = await startFaultProxy(tls, doomed.port, { kind: "onPut", afterBytes: 2 << 20, then: () => doomed.kill9() });
    proxies.push(proxy);
    const j = job(bucket, proxy.port);
    const big = crypto.randomBytes(8 << 20);
    const bigFile = j.put("big.bin", big, 20);

    const result = await j.run();
    expect(result.code, describeJob(result)).toBe(1);
    expect(result.stderr).toMatch(/ibac-frs-archive: big\.bin: upload failed \(.*\): kept\n/);
    expect(sha256(fs.readFileSync(bigFile))).toBe(sha256(big));
    // It was the kill that failed the upload: the server is gone.
    expect(() => process.kill(doomed.pid, 0)).toThrow();
  }, 180_000);

  it("a read-back corrupted on the way (one byte of the GET flipped by a proxy): not deleted, though the stored object is right", async () => {
    const bucket = await makeBucket(moto);
    const proxy = await startFaultProxy(tls, moto.port, { kind: "corruptVersionedGet" });
    proxies.push(proxy);
    const j = job(bucket, proxy.port);
    const content = crypto.randomBytes(100_000);
    const file = j.put("result.bin", content, 20);

    const result = await j.run();
    expect(result.code, describeJob(result)).toBe(1);
    expect(proxy.corrupted).toBeGreaterThan(0);
    expect(result.stderr).toMatch(new RegExp(`ibac-frs-archive: result\\.bin: version \\S+ reads back as sha256 [0-9a-f]{64}, expected ${sha256(content)}: kept\\n`));
    expect(fs.readFileSync(file).equals(content)).toBe(true);
    expect(await storedSha256(moto.port, bucket, "frs-1/result.bin")).toBe(sha256(content));
  }, 120_000);

  it("an object replaced under the same key between the upload and the check (another writer): not deleted", async () => {
    const bucket = await makeBucket(moto);
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-frs-archive-other-"));
    tempDirs.push(scratch);
    const otherFile = path.join(scratch, "other.json");
    fs.writeFileSync(otherFile, "someone else's\n");
    const proxy = await startFaultProxy(tls, moto.port, {
      kind: "replaceAfterPut",
      replace: async () => void (await mcOk(moto.port, ["cp", "--quiet", otherFile, `lab/${bucket}/frs-1/result.json`])),
    });
    proxies.push(proxy);
    const j = job(bucket, proxy.port);
    const file = j.put("result.json", "{\"match\":0.5}\n", 20);

    const result = await j.run();
    expect(result.code, describeJob(result)).toBe(1);
    expect(proxy.replaced).toBe(true);
    expect(result.stderr).toContain(`ibac-frs-archive: result.json: the stored object's sha256 metadata is missing, expected ${sha256('{"match":0.5}\n')}: kept\n`);
    expect(fs.existsSync(file)).toBe(true);
    // Both versions are in the bucket: the job's upload and the other writer's.
    const versions = (await mcOk(moto.port, ["ls", "--versions", "--json", `lab/${bucket}/frs-1/result.json`])).split("\n").filter(Boolean);
    expect(versions).toHaveLength(2);
  }, 120_000);

  it("a bucket without versioning: uploaded, but not deleted (a later upload could replace the only copy)", async () => {
    const bucket = await makeBucket(moto, false);
    const j = job(bucket, moto.port);
    const file = j.put("result.json", "{}\n", 20);
    const result = await j.run();
    expect(result.code, describeJob(result)).toBe(1);
    expect(result.stderr).toContain(`ibac-frs-archive: result.json: the object has no version id (is versioning on for ${bucket}?): kept\n`);
    expect(fs.existsSync(file)).toBe(true);
  }, 120_000);

  it("a server whose certificate the CA did not sign: nothing uploaded, nothing deleted", async () => {
    const bucket = await makeBucket(moto);
    const other = await makeLabTls(lab);
    tempDirs.push(other.hostDir);
    const j = job(bucket, moto.port, { caFile: other.ca.cert });
    const file = j.put("result.json", "{}\n", 20);
    const result = await j.run();
    expect(result.code, describeJob(result)).toBe(1);
    expect(result.stderr).toMatch(/result\.json: upload failed \(.*(certificate|x509).*\): kept/);
    expect(fs.existsSync(file)).toBe(true);
    expect(await keys(moto.port, bucket)).toEqual([]);
  }, 120_000);

  it("runs as an unprivileged user that owns only the data and state directories (the unit's User=)", async () => {
    const bucket = await makeBucket(moto);
    // The chroot's mc and the lab CA live below the checkout, which another user may not be able to enter (a
    // clone in a 0700 directory): the unprivileged run gets root-owned copies in a directory it can read, as a
    // VM has them in /usr/local/bin and /etc/ibac.
    const tools = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-frs-archive-tools-"));
    tempDirs.push(tools);
    fs.chmodSync(tools, 0o755);
    const mc = path.join(tools, "mc");
    const ca = path.join(tools, "ca.pem");
    fs.copyFileSync(lab.mc, mc);
    fs.chmodSync(mc, 0o755);
    fs.copyFileSync(tls.ca.cert, ca);
    fs.chmodSync(ca, 0o644);
    const j = job(bucket, moto.port, { mcBinary: mc, caFile: ca });
    const file = j.put("2026/12/01/a.json", "{}\n", 20);
    const nobody = 65534;
    for (const p of [j.dir, j.dataDir, j.stateDir, path.join(j.dataDir, "2026"), path.join(j.dataDir, "2026/12"), path.join(j.dataDir, "2026/12/01"), file]) fs.chownSync(p, nobody, nobody);
    const result = await j.run(nobody);
    expect(result.code, describeJob(result)).toBe(0);
    expect(fs.existsSync(file)).toBe(false);
    expect(await keys(moto.port, bucket)).toEqual(["frs-1/2026/12/01/a.json"]);
  }, 120_000);

  it("hostile names are skipped, reported escaped, fail the run; nothing outside the data directory is touched", async () => {
    const bucket = await makeBucket(moto);
    const j = job(bucket, moto.port);
    const outside = path.join(j.dir, "outside.txt");
    fs.writeFileSync(outside, "not FRS data\n");
    fs.utimesSync(outside, new Date(Date.now() - 40 * DAY), new Date(Date.now() - 40 * DAY));
    fs.symlinkSync(outside, path.join(j.dataDir, "link-to-outside"));
    const canary = path.join(j.dir, "pwned");
    const hostile = ["bad\nname", "-rf", ".hidden", "with space", `$(touch ${canary})`, "...", "tab\there", "dir\x1b[31m/inner.json", "ünïcode"];
    for (const name of hostile) j.put(name, "x\n", 20);
    j.put("fine/ok.json", "{}\n", 20);

    const result = await j.run();
    expect(result.code, describeJob(result)).toBe(1);
    expect(result.stdout).toContain(`1 archived and deleted, 0 kept after a failure, ${hostile.length} skipped for their names`);
    for (const name of hostile) {
      expect(fs.existsSync(path.join(j.dataDir, name)), JSON.stringify(name)).toBe(true);
    }
    expect(result.stderr).toContain("ibac-frs-archive: skipped $'bad\\nname': not a safe path");
    expect(result.stderr).toContain("ibac-frs-archive: skipped -rf: not a safe path");
    expect(result.stderr).toContain("ibac-frs-archive: skipped with\\ space: not a safe path");
    expect(result.stderr).toContain("ibac-frs-archive: skipped $'dir\\E[31m/inner.json': not a safe path");
    // Nothing but line ends in what it printed: no terminal escapes, tabs or raw newlines inside a name.
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\xff]/);
    expect(fs.existsSync(canary)).toBe(false);
    expect(fs.readFileSync(outside, "utf8")).toBe("not FRS data\n");
    expect(fs.lstatSync(path.join(j.dataDir, "link-to-outside")).isSymbolicLink()).toBe(true);
    expect(await keys(moto.port, bucket)).toEqual(["frs-1/fine/ok.json"]);
  }, 120_000);
});
