import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_SCRIPTS } from "../../paths";
import { scriptBench } from "../../../test/support/agent-script";
import { describeRun, requireTool, runTool } from "../../../test/support/require-tool";

// A real catalog: Bacula 9.6's own SQLite schema (bacula-director-sqlite3's make_sqlite3_tables), filled with
// jobs the way the director records them (EndTime in local time), read by the real sqlite3.
const SCHEMA_SCRIPT = "/usr/share/bacula-director/make_sqlite3_tables";
const bench = scriptBench("agent-bacula");
const catalog = path.join(bench.dir, "bacula.db");
afterAll(() => bench.remove());

function sql(statements: string): void {
  const r = runTool(requireTool("sqlite3", "sqlite3"), [catalog], { input: statements });
  if (r.status !== 0) throw new Error(describeRun(r));
}

beforeAll(() => {
  if (!fs.existsSync(SCHEMA_SCRIPT)) throw new Error(`${SCHEMA_SCRIPT} is missing: apt-get install -y --no-install-recommends bacula-director-sqlite3`);
  // The script is a heredoc into sqlite3: take the SQL between its markers.
  const text = fs.readFileSync(SCHEMA_SCRIPT, "utf8");
  const schema = text.slice(text.indexOf("<<END-OF-DATA\n") + "<<END-OF-DATA\n".length, text.indexOf("\nEND-OF-DATA"));
  sql(schema);
  sql(`INSERT INTO Client (ClientId, Name, Uname, AutoPrune, FileRetention, JobRetention) VALUES
      (1, 'db-1-fd', 'x', 1, 0, 0), (2, 'db-2-fd', 'x', 1, 0, 0), (3, 'lb-1-fd', 'x', 1, 0, 0), (4, 'lb-2-fd', 'x', 1, 0, 0), (5, 'new-fd', 'x', 1, 0, 0);`);
  const job = (id: number, client: number, status: string, endedHoursAgo: number, type = "B") =>
    `(${id}, 'job${id}', 'backup-job', '${type}', 'I', ${client}, '${status}', datetime('now', 'localtime', '-${endedHoursAgo + 1} hours'),
      datetime('now', 'localtime', '-${endedHoursAgo} hours'))`;
  sql(`INSERT INTO Job (JobId, Job, Name, Type, Level, ClientId, JobStatus, SchedTime, EndTime) VALUES
      ${job(10, 1, "E", 30)}, ${job(11, 1, "T", 2)}, ${job(12, 1, "R", 0)}, ${job(13, 1, "T", 1, "R")},
      ${job(20, 2, "T", 50)}, ${job(30, 3, "f", 3)}, ${job(40, 4, "W", 4)};`);
});

const check = (client: string, hours = "26") => bench.run(AGENT_SCRIPTS.baculaJob, [catalog, client, hours]);

describe("check_ibac_bacula_job", () => {
  it("is OK when the newest finished backup ended T within the hours (a running job and a restore skipped)", () => {
    expect(check("db-1-fd")).toMatchObject({ status: 0, line: "BACULA OK - job 11 of db-1-fd ended T, 2 h ago | age=7200s;;93600" });
  });

  it("is WARNING for W, CRITICAL for an old, failed or missing job", () => {
    expect(check("lb-2-fd")).toMatchObject({ status: 1, line: "BACULA WARNING - job 40 of lb-2-fd ended W, 4 h ago | age=14400s;;93600 (with warnings)" });
    expect(check("db-2-fd")).toMatchObject({ status: 2, line: "BACULA CRITICAL - job 20 of db-2-fd ended T, 50 h ago | age=180000s;;93600 (older than 26 h)" });
    expect(check("lb-1-fd")).toMatchObject({ status: 2, line: "BACULA CRITICAL - job 30 of lb-1-fd ended f, 3 h ago | age=10800s;;93600" });
    expect(check("new-fd")).toMatchObject({ status: 2, line: "BACULA CRITICAL - no finished backup job of new-fd in the catalog" });
  });

  it("is UNKNOWN on bad usage or an unreadable catalog, and never writes the catalog", () => {
    const before = fs.statSync(catalog).mtimeMs;
    expect(check("db-1-fd' OR '1'='1")).toMatchObject({ status: 3, line: "BACULA UNKNOWN - usage: check_ibac_bacula_job CATALOG CLIENT HOURS (CLIENT of [A-Za-z0-9_.-])" });
    expect(check("db-1-fd", "0")).toMatchObject({ status: 3 });
    const missing = path.join(bench.dir, "none.db");
    expect(bench.run(AGENT_SCRIPTS.baculaJob, [missing, "db-1-fd", "26"])).toMatchObject({ status: 3, line: `BACULA UNKNOWN - cannot read the catalog ${missing}` });
    expect(fs.existsSync(missing)).toBe(false);
    expect(fs.statSync(catalog).mtimeMs).toBe(before);
  });
});
