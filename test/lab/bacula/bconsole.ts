import { run, sleep } from "../run";

// bconsole as a test drives it: one bconsole process per batch of commands (stdin closed after them), output
// parsed from `llist` (one "key: value" per line, records separated by blank lines).

/** One job as `llist jobid=N` prints it (the fields the tests read). */
export interface JobRecord {
  jobId: number;
  job: string;
  name: string;
  type: string;
  level: string;
  jobStatus: string;
  jobFiles: number;
  jobBytes: number;
  jobErrors: number;
  startTime: string;
  endTime: string;
  priorJobId: number;
  raw: Record<string, string>;
}

export class Bconsole {
  constructor(private readonly binary: string, private readonly conf: string) {}

  /** Runs the commands in one bconsole session; resolves with everything it printed. */
  async run(...commands: string[]): Promise<string> {
    const r = await run(this.binary, ["-n", "-c", this.conf], { input: `${commands.join("\n")}\nquit\n`, timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`bconsole ${commands.join("; ")}: exit ${r.code}\n${r.stdout}${r.stderr}`);
    return r.stdout;
  }

  /** Until the director answers `version` (TLS and password included). */
  async waitReady(timeoutMs = 15_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < until) {
      const r = await run(this.binary, ["-n", "-c", this.conf], { input: "version\nquit\n", timeoutMs: 10_000 });
      last = r.stdout + r.stderr;
      if (r.code === 0 && /Version: 9\.\d/.test(r.stdout)) return;
      await sleep(100);
    }
    throw new Error(`bconsole got no answer from the director within ${timeoutMs} ms:\n${last}`);
  }

  /** Sends a `run`/`restore` command and returns the JobId it queued. */
  async queue(command: string): Promise<number> {
    const out = await this.run(command);
    const m = /Job queued\. JobId=(\d+)/.exec(out);
    if (!m) throw new Error(`no job queued by: ${command}\n${out}`);
    return Number(m[1]);
  }

  /** Waits for the job to end and returns its catalog record. */
  async waitJob(jobId: number): Promise<JobRecord> {
    await this.run(`wait jobid=${jobId}`);
    const job = (await this.llistJobs(`llist jobid=${jobId}`))[0];
    if (!job) throw new Error(`job ${jobId} is not in the catalog`);
    return job;
  }

  /** Queues a job and waits for it. */
  async runJob(command: string): Promise<JobRecord> {
    return this.waitJob(await this.queue(command));
  }

  /** `llist jobs ...` or `llist jobid=N`, parsed. */
  async llistJobs(command = "llist jobs"): Promise<JobRecord[]> {
    return parseLlist(await this.run(command)).filter((r) => r.jobid !== undefined).map(toJob);
  }

  /** The job's log as the catalog holds it (Messages with `Catalog = all`). */
  async jobLog(jobId: number): Promise<string> {
    return this.run(`list joblog jobid=${jobId}`);
  }
}

/** `llist` output as records of lower-cased keys. */
export function parseLlist(text: string): Record<string, string>[] {
  const records: Record<string, string>[] = [];
  let current: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^\s*([A-Za-z]+):\s?(.*)$/.exec(line);
    if (m) {
      const key = m[1].toLowerCase();
      if (key in current) {
        records.push(current);
        current = {};
      }
      current[key] = m[2].trim();
    } else if (line.trim() === "" && Object.keys(current).length) {
      records.push(current);
      current = {};
    }
  }
  if (Object.keys(current).length) records.push(current);
  return records;
}

const num = (s: string | undefined): number => Number((s ?? "0").replace(/,/g, "")) || 0;

function toJob(r: Record<string, string>): JobRecord {
  return {
    jobId: num(r.jobid),
    job: r.job ?? "",
    name: r.name ?? "",
    type: r.type ?? "",
    level: r.level ?? "",
    jobStatus: r.jobstatus ?? "",
    jobFiles: num(r.jobfiles),
    jobBytes: num(r.jobbytes),
    jobErrors: num(r.joberrors),
    startTime: r.starttime ?? "",
    endTime: r.endtime ?? "",
    priorJobId: num(r.priorjobid),
    raw: r,
  };
}
