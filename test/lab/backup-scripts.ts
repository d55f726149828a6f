import * as fs from "node:fs";
import * as path from "node:path";
import { spawn } from "node:child_process";
import type { DatabaseLab, LabHost } from "./database-lab";
import { BACKUP_SCRIPT_PATH, BINLOG_CAPTURE_SCRIPT_PATH, renderDatabaseBackupFiles } from "../../backup/database/render-backup-units";

export interface BackupScripts {
  /** `<host>/bin/ibac-db-backup`, rendered with the host's lab paths. */
  backupScript: string;
  captureScript: string;
  /** Runs `ibac-db-backup full|incremental|prune` in the host's namespace; rejects with its output on failure. */
  run(kind: "full" | "incremental" | "prune"): Promise<string>;
}

/**
 * The same backup scripts the component delivers, rendered for the lab host's paths and written into its
 * bin/ (production installs them in /usr/local/sbin; a shared machine cannot).
 */
export function installBackupScripts(lab: DatabaseLab, host: LabHost): BackupScripts {
  const server = [lab.topology.primary, ...lab.topology.replicas].find((s) => s.name === host.name);
  if (!server) throw new Error(`${host.name} is not a database server of the lab`);
  const files = renderDatabaseBackupFiles(server, lab.topology, host.paths);
  const write = (target: string): string => {
    const file = files.find((f) => f.path === target);
    if (!file) throw new Error(`the backup renderer produced no ${target}`);
    const local = path.join(host.dir, "bin", path.basename(target));
    fs.mkdirSync(path.dirname(local), { recursive: true });
    fs.writeFileSync(local, file.content, { mode: 0o755 });
    return local;
  };
  const backupScript = write(BACKUP_SCRIPT_PATH);
  const captureScript = write(BINLOG_CAPTURE_SCRIPT_PATH);
  return {
    backupScript,
    captureScript,
    run: async (kind) => {
      const r = await lab.runInHost(host, [backupScript, kind], { timeoutMs: 120_000, env: { ...process.env, TMPDIR: host.tmpdir } });
      if (r.code !== 0) throw new Error(`${backupScript} ${kind} on ${host.name}: exit ${r.code}\n${r.stdout}${r.stderr}`);
      return r.stdout + r.stderr;
    },
  };
}

/** Starts the binary-log capture on a host in the background; the returned function stops it by PID. */
export async function startBinlogCapture(host: LabHost, scripts: BackupScripts): Promise<() => Promise<void>> {
  const log = fs.openSync(path.join(host.dir, "binlog-capture.log"), "a");
  const child = spawn("ip", ["netns", "exec", host.netns, scripts.captureScript], { stdio: ["ignore", log, log], detached: true });
  fs.closeSync(log);
  await new Promise((r) => setTimeout(r, 500));
  if (child.exitCode !== null) throw new Error(`the binlog capture on ${host.name} exited at once (${child.exitCode}); see ${host.dir}/binlog-capture.log`);
  return async () => {
    if (child.pid !== undefined && child.exitCode === null) {
      // The capture supervises mariadb-binlog: signal the whole process group it leads.
      process.kill(-child.pid, "SIGTERM");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => { if (child.pid) process.kill(-child.pid, "SIGKILL"); resolve(); }, 5000);
        child.on("exit", () => { clearTimeout(timer); resolve(); });
      });
    }
  };
}
