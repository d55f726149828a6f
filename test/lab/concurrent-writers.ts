import * as fs from "node:fs";
import * as path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import type { DatabaseLab } from "./database-lab";

/** One acknowledged insert, as a writer saw it: the server said OK to its COMMIT. */
export interface Ack {
  writer: number;
  n: number;
  address: string;
  /** Wall clock in milliseconds when the OK arrived. */
  atMs: number;
}

export interface WriterRun {
  /** Stops every writer (by PID) and returns what they saw. */
  stop(): Promise<{ acks: Ack[]; errors: number }>;
  /** Acks seen so far (read from the writers' files). */
  acks(): Ack[];
}

export const DRILL_TABLE = "ibac.drill";

/** The drill table: one row per acknowledged insert, keyed by (writer, n). */
export const CREATE_DRILL_TABLE = `CREATE TABLE IF NOT EXISTS ${DRILL_TABLE} (writer INT NOT NULL, n INT NOT NULL, at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), PRIMARY KEY (writer, n)) ENGINE=InnoDB`;

// Each writer is one bash loop in the control namespace: one client per insert, as the application account
// over TLS with the server's certificate verified. A failed insert moves it to the next server (a replica
// answers read-only; a dead primary does not answer), so the first write after a failover lands as soon as
// the promoted server accepts it. Every n is tried once: an insert with an unknown outcome is never retried.
const WRITER_SCRIPT = `#!/bin/bash
w=$1; out=$2; stopfile=$3; shift 3; hosts=("$@"); i=0; n=0
while [ ! -e "$stopfile" ]; do
  n=$((n+1)); addr=\${hosts[$i]}
  if mariadb --no-defaults --ssl --ssl-ca="$CA" --ssl-verify-server-cert -h "$addr" -u ibac_app --connect-timeout=1 -N -B \\
       -e "INSERT INTO ${DRILL_TABLE} (writer, n) VALUES ($w, $n)" >/dev/null 2>&1; then
    echo "$(date +%s%3N) $addr $n" >> "$out"
  else
    echo "$(date +%s%3N) $addr ERR $n" >> "$out"; i=$(( (i + 1) % \${#hosts[@]} )); sleep 0.02
  fi
done
`;

/**
 * Starts `count` writers against the lab's servers. Writer ids start after `firstWriter`: a second drill on
 * the same table needs new ids, or every insert would hit a key of the first.
 */
export function startWriters(lab: DatabaseLab, count: number, firstWriter = 0): WriterRun {
  const dir = fs.mkdtempSync(path.join(lab.root, "writers-"));
  const script = path.join(dir, "writer.sh");
  const stopFile = path.join(dir, "stop");
  fs.writeFileSync(script, WRITER_SCRIPT, { mode: 0o755 });
  const addresses = lab.hosts.map((h) => h.address);
  const children: ChildProcess[] = [];
  for (let w = 1; w <= count; w++) {
    const child = spawn("ip", ["netns", "exec", lab.controlNetns, script, String(firstWriter + w), path.join(dir, `w${w}.log`), stopFile, ...addresses], {
      stdio: "ignore",
      env: { ...process.env, CA: lab.caFile, MYSQL_PWD: lab.passwords.application },
    });
    children.push(child);
  }
  const read = (): { acks: Ack[]; errors: number } => {
    const acks: Ack[] = [];
    let errors = 0;
    for (let w = 1; w <= count; w++) {
      const file = path.join(dir, `w${w}.log`);
      if (!fs.existsSync(file)) continue;
      for (const line of fs.readFileSync(file, "utf8").split("\n")) {
        const [at, address, third] = line.split(" ");
        if (third === "ERR") errors++;
        else if (third) acks.push({ writer: firstWriter + w, n: Number(third), address, atMs: Number(at) });
      }
    }
    return { acks, errors };
  };
  return {
    acks: () => read().acks,
    stop: async () => {
      fs.writeFileSync(stopFile, "");
      await Promise.all(children.map((c) => new Promise<void>((resolve) => {
        if (c.exitCode !== null) return resolve();
        const timer = setTimeout(() => c.pid && process.kill(c.pid, "SIGKILL"), 10_000);
        c.on("exit", () => { clearTimeout(timer); resolve(); });
      })));
      return read();
    },
  };
}

/** Acks the server lacks: each one a lost acknowledged transaction. */
export async function lostAcks(lab: DatabaseLab, host: string, acks: Ack[]): Promise<Ack[]> {
  const rows = await lab.sql(host, `SELECT CONCAT(writer, ':', n) FROM ${DRILL_TABLE}`);
  const present = new Set(rows.split("\n").filter(Boolean));
  return acks.filter((a) => !present.has(`${a.writer}:${a.n}`));
}
