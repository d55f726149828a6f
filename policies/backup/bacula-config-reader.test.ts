import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import {
  BaculaConfigError,
  baculaBool,
  baculaDurationSeconds,
  directive,
  directiveValue,
  directiveValues,
  findResource,
  parseBaculaConfig,
  resourceName,
  resourcesOf,
} from "./bacula-config-reader";
import { RunLineError, parseRunLine, runForJob } from "./bacula-run-line";

const SAMPLE = `# bacula-dir.conf, hand-written: every form the reader must take apart
Director {                            # the director itself
  Name = ibac-dir
  Password = "pa;ss#word \\"quoted\\""   # ; and # inside quotes are text
  Working Directory = "/srv/bacula/work"
}

FileSet
{
  Name = "Photos Set"
  Include {
    Options { signature = SHA256; compression = GZIP }
    File = /srv/photos
    File = "/srv/photos two"
  }
  Exclude { File = /srv/photos/tmp }
}

Pool { Name = Photos-H00; Pool Type = Backup; VolumeRetention = 183 days 6 hours }
Messages {
  Name = Standard
  mail = root@localhost = all, !skipped
}
Schedule {
  Name = Hanoi
  Run = Level=Full Pool=Photos-H00 1st sun at 02:05
  RUN = Level = Incremental Pool = "Photos-H01" hourly at 0:15
}
`;

describe("the Bacula configuration reader (hand-written samples)", () => {
  const conf = parseBaculaConfig(SAMPLE);

  it("reads resources in order with their types compared as Bacula does (case and spaces ignored)", () => {
    expect(conf.map((r) => [r.rawType, r.type, resourceName(r), r.line])).toEqual([
      ["Director", "director", "ibac-dir", 2],
      ["FileSet", "fileset", "Photos Set", 8],
      ["Pool", "pool", "Photos-H00", 19],
      ["Messages", "messages", "Standard", 20],
      ["Schedule", "schedule", "Hanoi", 24],
    ]);
    expect(resourcesOf(conf, "file set")).toHaveLength(1);
    expect(resourcesOf(conf, "SCHEDULE")).toHaveLength(1);
  });

  it("unquotes a quoted value with its escapes, keeps ; and # inside quotes, and drops comments", () => {
    const dir = resourcesOf(conf, "Director")[0];
    expect(directiveValue(dir, "password")).toBe('pa;ss#word "quoted"');
    expect(directiveValue(dir, "WorkingDirectory")).toBe("/srv/bacula/work");
    expect(directive(dir, "working directory")).toEqual({ key: "workingdirectory", rawKey: "Working Directory", value: "/srv/bacula/work", line: 5 });
  });

  it("reads nested Include/Options/Exclude blocks and repeated keys, ; separating directives on one line", () => {
    const fileSet = findResource(conf, "FileSet", "Photos Set");
    expect(fileSet?.blocks.map((b) => b.type)).toEqual(["include", "exclude"]);
    const include = fileSet?.blocks[0];
    expect(include && directiveValues(include, "File")).toEqual(["/srv/photos", "/srv/photos two"]);
    expect(include?.blocks[0].directives.map((d) => [d.key, d.value])).toEqual([["signature", "SHA256"], ["compression", "GZIP"]]);
    const pool = findResource(conf, "Pool", "Photos-H00");
    expect(pool && [directiveValue(pool, "Pool Type"), directiveValue(pool, "volume retention")]).toEqual(["Backup", "183 days 6 hours"]);
  });

  it("keeps a value with = and commas whole (Run lines, mail destinations)", () => {
    const messages = resourcesOf(conf, "Messages")[0];
    expect(directiveValue(messages, "Mail")).toBe("root@localhost = all, !skipped");
    expect(directiveValues(resourcesOf(conf, "Schedule")[0], "run")).toEqual([
      "Level=Full Pool=Photos-H00 1st sun at 02:05",
      'Level = Incremental Pool = "Photos-H01" hourly at 0:15',
    ]);
  });

  it("finds resources by their case-sensitive name", () => {
    expect(findResource(conf, "pool", "photos-h00")).toBeUndefined();
    expect(findResource(conf, "pool", "Photos-H00")?.line).toBe(19);
  });

  it.each([
    ["Job {\n  Name = a\n", "line 1: Job { ... } is not closed"],
    ["Job { Name = a }\n}\n", "line 2: } without a resource to close"],
    ["@/etc/bacula/other.conf\n", "line 1: @ includes another file, which this reader does not follow"],
    ["Job {\n  Name a\n}\n", "line 2: Name a: expected = or {"],
    ["Name = a\n", "line 1: Name outside any resource"],
    ['Job { Name = "a }\n', "line 1: unterminated quoted string"],
  ])("refuses what it cannot read: %j", (text, message) => {
    expect(() => parseBaculaConfig(text)).toThrow(BaculaConfigError);
    expect(() => parseBaculaConfig(text)).toThrow(message);
  });

  it("reads Bacula's yes/no", () => {
    expect(["yes", "Yes", "true", "no", "FALSE", "1", undefined].map(baculaBool)).toEqual([true, true, true, false, false, undefined, undefined]);
  });

  it("reads a Run line's overrides and leaves the job's level or pool to the job", () => {
    const run = parseRunLine("Pool=P2 NextPool=Nas-P2 mon at 1:00");
    expect(run).toMatchObject({ pool: "P2", overrides: { nextpool: "Nas-P2" }, hour: [1], dayOfWeek: [1] });
    expect(run.level).toBeUndefined();
    expect(runForJob(run, { level: "Incremental", pool: "Default" })).toMatchObject({ level: "Incremental", pool: "P2" });
    expect(runForJob(parseRunLine("daily at 1:00"), { pool: "P" })).toBeUndefined();
  });

  it.each([
    ["last fri", "Run = last fri: last is not accepted by Bacula 9.6"],
    ["w01/w02 mon", "Run = w01/w02 mon: modulo w01/w02 is not accepted by Bacula 9.6 (list the weeks or days)"],
    ["1:00", "Run = 1:00: a time must be preceded by the keyword at"],
    ["daily at 25:00", "Run = daily at 25:00: bad time 25:00"],
    ["jan-jan", "Run = jan-jan: invalid month, weekday or position range jan-jan"],
    ["Level=VirtualFull", "Run = Level=VirtualFull: level VirtualFull is not one of Full, Differential, Incremental"],
    ["32", "Run = 32: day 32 out of range (1-31)"],
    ["fortnightly", "Run = fortnightly: unknown word fortnightly"],
  ])("refuses a Run line Bacula refuses or this reader does not model: %s", (line, message) => {
    expect(() => parseRunLine(line)).toThrow(RunLineError);
    expect(() => parseRunLine(line)).toThrow(message);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The same lines read by Bacula itself: bdirjson prints the director's parsed configuration.

const BDIRJSON = "/usr/sbin/bdirjson";
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** bdirjson's reading of one resource of a director configuration (absolute path: a relative -c reads /etc/bacula). */
function bdirjson(conf: string, type: string, name: string): Record<string, unknown> {
  if (!fs.existsSync(BDIRJSON)) throw new Error(`${BDIRJSON} not found: install the Debian package bacula-director (scripts/install-test-deps.sh)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-bacula-reader-"));
  dirs.push(dir);
  const file = path.join(dir, "bacula-dir.conf");
  fs.writeFileSync(file, conf);
  const run = spawnSync(BDIRJSON, ["-r", type, "-n", name, "-c", file], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`bdirjson exited ${run.status}: ${run.stdout}${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

/** A director configuration bdirjson accepts, with the given pools and schedule. */
function directorWith(pools: string[], extra: string): string {
  return `Director { Name = t-dir; QueryFile = "/etc/bacula/scripts/query.sql"; WorkingDirectory = "/tmp"; PidDirectory = "/tmp"; Password = "x"; Messages = M }
Messages { Name = M }
Catalog { Name = C; dbname = "b"; dbuser = ""; dbpassword = "" }
Storage { Name = St; Address = 127.0.0.1; Password = "y"; Device = D; Media Type = File }
Client { Name = c-fd; Address = 127.0.0.1; Password = "z"; Catalog = C }
FileSet { Name = FS; Include { File = /etc } }
Job { Name = J; Type = Backup; Client = c-fd; FileSet = FS; Storage = St; Pool = ${pools[0]}; Messages = M }
${pools.map((p) => `Pool { Name = ${p}; Pool Type = Backup }`).join("\n")}
${extra}
`;
}

const RUN_LINES = [
  "Level=Full Pool=P1 1st sun at 23:05",
  "Level=Incremental Pool=P2 hourly at 0:15",
  'Pool="P2" w00,w02-w04 mon-wed at 1:00pm',
  "Level=Differential jan-mar 2-5",
  "Level = Differential Pool = P1 weekly on sat at 12:00am",
  "Level=Full daily at 1:00, at 2:00",
  "daily 2nd-4th fri",
  "6th sat",
  "fri-mon at 12:30pm",
  "5-5",
  "5-3 w53-w01",
  "weekly mon w53",
  "monthly 1 at 3:07",
  "first-third monday december",
  "Level=Incremental Pool=P2 w00 w01 w52 w53 mon,tue at 0:00",
  "on 31 february at 23:59",
  // The rendered rotation's forms: FullPool= beside Pool=, week lists with spaces, several times after one `at`.
  "Level=Full Pool=P1 FullPool=P2 sun w01, w03, w05, w53 at 00:05",
  "Level=Differential Pool=P2 at 01:05 03:05 05:05 23:05",
];

describe("Run lines: this reader against bdirjson's reading of the same lines (bacula-director 9.6)", () => {
  it("gives the bitmaps, minute, level and pool Bacula holds for every line", () => {
    const schedule = `Schedule {\n  Name = S\n${RUN_LINES.map((l) => `  Run = ${l}`).join("\n")}\n}`;
    const bacula = bdirjson(directorWith(["P1", "P2"], schedule), "Schedule", "S");
    const theirs = (bacula.Run as Record<string, unknown>[]).map((r) => ({
      level: r.Level, pool: r.Pool, hour: r.Hour, minute: r.Minute, day: r.Day, month: r.Month, dayOfWeek: r.DayOfWeek, weekOfMonth: r.WeekOfMonth, weekOfYear: r.WeekOfYear,
    }));
    const ours = RUN_LINES.map((l) => {
      const run = parseRunLine(l);
      return { level: run.level, pool: run.pool, hour: run.hour, minute: run.minute, day: run.day, month: run.month, dayOfWeek: run.dayOfWeek, weekOfMonth: run.weekOfMonth, weekOfYear: run.weekOfYear };
    });
    expect(ours).toEqual(theirs);
  });

  it("reads Volume Retention periods as Bacula does (seconds)", () => {
    const periods = ["6 months", "183 days 6 hours", "1m 2min 3 mins 4n 5", "1 y", "1 quarter", "2 weeks", "1.5 h", "3 se", "7d12h", "1 mo", "90"];
    const pools = periods.map((_, i) => `Q${i}`);
    const conf = directorWith(["P1"], periods.map((p, i) => `Pool {\n  Name = ${pools[i]}\n  Pool Type = Backup\n  Volume Retention = ${p}\n}`).join("\n"));
    const theirs = pools.map((p) => bdirjson(conf, "Pool", p).VolumeRetention);
    const ours = parseBaculaConfig(conf).filter((r) => r.type === "pool" && resourceName(r)?.startsWith("Q")).map((r) => baculaDurationSeconds(directiveValue(r, "Volume Retention")));
    expect(ours).toEqual(theirs);
    expect(baculaDurationSeconds('"200d"')).toBeUndefined();
    expect(baculaDurationSeconds("200 fortnights")).toBeUndefined();
  });

  it("reads a whole director configuration bdirjson accepts, resource for resource", () => {
    const conf = directorWith(["P1", "P2"], "Schedule { Name = S; Run = Level=Full Pool=P1 sun at 1:00\n}");
    const names = parseBaculaConfig(conf).map((r) => `${r.type}:${resourceName(r) ?? ""}`);
    expect(names).toEqual(["director:t-dir", "messages:M", "catalog:C", "storage:St", "client:c-fd", "fileset:FS", "job:J", "pool:P1", "pool:P2", "schedule:S"]);
    expect(bdirjson(conf, "Job", "J").Pool).toBe("P1");
  });
});
