// The rendered files of the lab's backup tier, run for real: director, storage daemon and the backup tier's
// own file daemon (backup-fd) from the files as rendered (the jobs' schedules removed), inside a network namespace of their own
// (`unshare -n`: its loopback carries the lab's backup service address, so the files' addresses and ports are
// used unchanged and nothing leaves the namespace). bconsole (rendered, the named console) reaches the director
// over TLS, the director the file daemon (checked by name) and the storage daemon (checked by address), a Full
// of the configuration job lands on the DRBD device, its copy job writes the NAS device (the mount scripts are
// stand-ins that do nothing), and a known file's content appears in no volume (PKI encryption).
// Certificates from a throwaway CA as baculaCertificateRequests names them. Bookworm's Bacula 9.6.
// Observed here: with TLS on the director's link to its storage daemon, the copy job's writing side ended about
// two minutes after the data was written; over the loopback without TLS (as rendered now) it does not. The
// restricted console may not `status storage`.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireTool, runTool, describeRun, type ToolResult } from "../../test/support/require-tool";
import { baculaStand, createCatalog, issueStandCertificates, type BaculaStand } from "./bacula-test-stand";
import { baculaCertificateRequests } from "./certificates";
import { CYCLE_POOLS, nasPool } from "./derive-bacula-plan";
import { renderBconsoleConf, renderDirectorConf, renderFileDaemonConf, renderStorageDaemonConf } from "./render-files";

const MARKER = "ibac-live-plaintext-marker-7d0c2b";

describe("the lab's backup tier from its rendered files, live in a network namespace", () => {
  let stand: BaculaStand;
  let run: ToolResult;

  beforeAll(() => {
    stand = baculaStand("lab");
    const { plan, paths, secrets } = stand;
    issueStandCertificates(stand, "backup-fd", baculaCertificateRequests(plan));
    createCatalog(plan.director.catalogFile);
    fs.mkdirSync(paths.ibacConfigDir, { recursive: true });
    fs.writeFileSync(path.join(paths.ibacConfigDir, "known.txt"), `${MARKER}\n`.repeat(50));
    fs.mkdirSync(path.dirname(paths.catalogDumpFile), { recursive: true });
    for (const [script, body] of [
      [paths.catalogDumpCommand, `echo catalog-dump > ${paths.catalogDumpFile}`],
      [paths.nasMountCommand, "exit 0"],
      [paths.nasUnmountCommand, "exit 0"],
    ]) {
      fs.mkdirSync(path.dirname(script), { recursive: true });
      fs.writeFileSync(script, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    }
    // Schedules off, the one change to the rendered text: the test starts its jobs, and a scheduled run of a client
    // that is not here (the :50 database jobs) would hold the storage, which runs one job at a time.
    const rendered = renderDirectorConf(plan, secrets, paths);
    expect(rendered).toMatch(/^ {2}Schedule = "Photos-Hanoi"$/m);
    const dir = stand.write("bacula-dir.conf", rendered.replace(/^ {2}Schedule = .*\n/gm, ""));
    expect(fs.readFileSync(dir, "utf8")).not.toMatch(/^\s*Schedule = /m);
    const sd = stand.write("bacula-sd.conf", renderStorageDaemonConf(plan, secrets, paths));
    const fd = stand.write("bacula-fd.conf", renderFileDaemonConf(plan, "backup-fd", secrets, paths));
    const bconsole = stand.write("bconsole.conf", renderBconsoleConf(plan, secrets, paths));
    const commands = [
      "status dir",
      "status client=backup-fd",
      `status storage=${plan.storages[0].name}`,
      "run job=Backup-Config level=Full yes",
      "wait",
      `run job=Copy-${CYCLE_POOLS.Full} yes`,
      "wait",
      "list jobs",
      "messages",
      "quit",
    ].join("\n");
    const bin = (p: string, pkg: string): string => requireTool(p, pkg);
    const waitPort = (port: number): string => `for i in $(seq 100); do (exec 3<>/dev/tcp/${plan.director.address}/${port}) 2>/dev/null && break; sleep 0.1; done`;
    // Every process is started and stopped (by PID) inside the namespace's shell; the namespace goes with it.
    const script = `set -u
ip link set lo up
ip addr add ${plan.director.address}/32 dev lo
${bin("bacula-sd", "bacula-sd")} -f -c ${sd} & SD=$!
${bin("bacula-fd", "bacula-fd")} -f -c ${fd} & FD=$!
${waitPort(plan.storageDaemon.port)}
${waitPort(9102)}
TZ=UTC ${bin("bacula-dir", "bacula-director bacula-director-sqlite3")} -f -c ${dir} & DIR=$!
${waitPort(plan.director.port)}
${bin("bconsole", "bacula-console")} -c ${bconsole} <<'BCONSOLE'
${commands}
BCONSOLE
kill $DIR $FD $SD
wait
`;
    // A PID namespace of its own too (`-p -f --kill-child`): if the run times out, killing unshare kills the
    // namespace's first process and with it every daemon, instead of leaving them running on the machine.
    run = runTool(requireTool("unshare", "util-linux"), ["-n", "-p", "-f", "--kill-child", requireTool("bash", "bash"), "-c", script], { timeout: 120_000 });
  }, 150_000);
  afterAll(() => stand?.remove());

  it("bconsole reaches the director with the named console over TLS; the director reaches the file and storage daemons over TLS", () => {
    const out = run.stdout + run.stderr;
    expect(out, describeRun(run)).toContain(`1000 OK: 103 ${stand.plan.director.name}`);
    expect(out, describeRun(run)).toContain("Director connected using TLS");
    expect(out, describeRun(run)).not.toContain("TLS negotiation failed");
  });

  it("the configuration job's Full lands on the DRBD device and its copy on the NAS device", () => {
    const out = run.stdout + run.stderr;
    expect(out, describeRun(run)).toContain("Termination:            Backup OK");
    expect(out, describeRun(run)).toContain("Termination:            Copying OK");
    const volumes = fs.readdirSync(stand.paths.volumeDirectory);
    const copies = fs.readdirSync(stand.paths.nasMountPoint);
    expect(volumes.some((v) => v.startsWith(`${CYCLE_POOLS.Full}-`)), volumes.join(", ")).toBe(true);
    expect(copies.some((v) => v.startsWith(`${nasPool(CYCLE_POOLS.Full)}-`)), copies.join(", ")).toBe(true);
  });

  it("a known file's content is in no volume, on the DRBD device or the NAS (PKI encryption)", () => {
    const files = [stand.paths.volumeDirectory, stand.paths.nasMountPoint].flatMap((d) => fs.readdirSync(d).map((f) => path.join(d, f)));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const f of files) expect(fs.readFileSync(f).includes(MARKER), f).toBe(false);
    // The file's name is in clear (Bacula encrypts contents, not names): the volume does hold this job.
    expect(files.some((f) => fs.readFileSync(f).includes("known.txt"))).toBe(true);
  });
});
