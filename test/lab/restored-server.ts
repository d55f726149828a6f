import * as path from "node:path";
import type { DatabaseLab, LabHost } from "./database-lab";
import { commandLine } from "./run";

/**
 * db-restore-pitr stops its socket-only server when the run ends; to look into the restore, a test starts
 * one again on the restored datadir (as the report's `startWith` says an operator would), runs `use` and
 * stops it by its PID.
 */
export async function withRestoredServer<T>(lab: DatabaseLab, host: LabHost | string, datadir: string, use: (socket: string) => Promise<T>): Promise<T> {
  const run = `${datadir}-run`;
  const socket = path.join(run, "inspect.sock");
  const pidFile = path.join(run, "inspect.pid");
  const server = ["mariadbd", "--no-defaults", "--user=mysql", `--datadir=${datadir}`, `--socket=${socket}`, `--pid-file=${pidFile}`, "--skip-networking", "--skip-slave-start", `--log-error=${run}/inspect.err`, "--innodb-buffer-pool-size=64M"];
  const started = await lab.runInHost(host, ["sh", "-c", `setsid nohup ${commandLine(server[0], server.slice(1))} >/dev/null 2>&1 </dev/null & for i in $(seq 1 150); do mariadb-admin --no-defaults --socket=${socket} -uroot ping >/dev/null 2>&1 && exit 0; sleep 0.2; done; tail -20 ${run}/inspect.err >&2; exit 1`]);
  if (started.code !== 0) throw new Error(`the restored server on ${datadir} did not start: ${started.stderr}`);
  try {
    return await use(socket);
  } finally {
    await lab.runInHost(host, ["sh", "-c", `p=$(cat ${pidFile}) && kill "$p" && while kill -0 "$p" 2>/dev/null; do sleep 0.1; done`]);
  }
}
