import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { calendarEventProblem } from "./calendar-event";
import { requireTool } from "../../test/support/require-tool";

// [expression, valid for Proxmox, where systemd differs (and why)]. Rows without a difference are checked
// against `systemd-analyze calendar` as well: the two grammars agree there, and so must this parser.
const CASES: [string, boolean, string?][] = [
  // The examples of the Proxmox manual ("Calendar Events"), valid in both.
  ["mon,tue,wed,thu,fri", true],
  ["mon..fri", true],
  ["sat,sun", true],
  ["sat..sun", true],
  ["mon,wed,fri", true],
  ["12:05", true],
  ["*:00/5", true],
  ["0/1:0/5", true],
  ["mon..wed *:30/10", true],
  ["mon,tue,wed *:30/10", true],
  ["mon..fri 8..17,22:0/15", true],
  ["fri 12..13:5/20", true],
  ["fri 12,13:5/20", true],
  ["12,14,16,18,20,22:5", true],
  ["12/2:5", true],
  ["*:*", true],
  ["*-05", true],
  ["Sat *-1..7 15:00", true],
  ["2015-10-21", true],
  ["minutely", true],
  ["hourly", true],
  ["daily", true],
  ["weekly", true],
  ["monthly", true],
  ["yearly", true],
  ["annually", true],
  ["quarterly", true],
  ["semiannually", true],
  ["semi-annually", true],
  ["monday 12:00", true],
  ["*-*-* 02:00:00", true],
  ["mon..fri 08:00 UTC", true],
  ["1..10/2:00", true],
  ["2025-01..06-01 03:30", true],
  // Proxmox reads a lone number as minutes (the replication default */15); systemd does not.
  ["*/15", true, "systemd has no minutes-only time"],
  ["30", true, "systemd has no minutes-only time"],
  ["*/5", true, "systemd has no minutes-only time"],
  // Invalid in both.
  ["", false],
  ["foo", false],
  ["2020-00-01", false],
  ["*-13-01", false],
  ["*:0/0", false],
  ["*/0", false],
  ["25:00", false],
  ["12:60", false],
  ["*:*:60", false],
  ["2300-01-01", false],
  ["1960-01-01", false],
  ["12..10:00", false],
  ["mon.. 12:00", false],
  ["mon,,tue", false],
  ["mon12:00", false],
  ["*-*-1~1", false],
  ["12:00 12:00", false],
  // Dates that exist in some year are valid; dates that never come are refused, though both parsers take them.
  ["*-02-29", true],
  ["2024-02-29", true],
  ["2023..2025-02-29", true],
  ["*-04,05-31", true],
  ["*-*-31", true],
  ["*-02-30", false, "systemd parses a date that never comes (Next elapse: never)"],
  ["*-04-31", false, "systemd parses a date that never comes (Next elapse: never)"],
  ["2023-02-29", false, "systemd parses a date that never comes (Next elapse: never)"],
  // systemd's extensions that Proxmox does not have.
  ["Daily", false, "systemd matches keywords in any case, Proxmox only in lower case"],
  ["@1234", false, "Proxmox has no @epoch"],
  ["12:00:00.5", false, "Proxmox has no fractional seconds"],
  ["*-*-* 12:00 Europe/Tallinn", false, "Proxmox has no time zones but UTC"],
];

describe("Proxmox calendar events", () => {
  it.each(CASES)("%j: valid for Proxmox = %s", (expression, valid) => {
    expect(calendarEventProblem(expression) === undefined).toBe(valid);
  });

  it("agrees with systemd-analyze calendar where the grammars overlap, and differs only where noted", () => {
    const systemdAnalyze = requireTool("systemd-analyze", "systemd");
    const disagreements = CASES.filter(([expression, valid, difference]) => {
      const systemdValid = spawnSync(systemdAnalyze, ["calendar", expression], { encoding: "utf8" }).status === 0;
      return difference === undefined ? systemdValid !== valid : systemdValid === valid;
    });
    expect(disagreements).toEqual([]);
  });

  it.each([
    ["", "an empty schedule"],
    ["*/0", '"0" is not a minute step (a number from 1)'],
    ["25:00", "hour 25 is outside 0 to 23"],
    ["2020-00-01", "month 00 is outside 1 to 12"],
    ["12..10:00", "the hour range 12..10 runs backwards"],
    ["Daily", '"Daily": keywords are lower case'],
    ["fortnightly", '"fortnightly" is not a weekday (mon, tue, wed, thu, fri, sat, sun) or a keyword (minutely, hourly, daily, weekly, monthly, yearly, annually, quarterly, semiannually, semi-annually)'],
    ["*:*:60", "second 60 is outside 0 to 59"],
    ["12:00 12:00", '"12:00" after the time'],
    ["*/15\n", "a character other than printable ASCII and spaces"],
    ["*:0/75", "the minute step 75 is larger than 59"],
    ["*-02-30", "the date *-02-30 never occurs"],
    ["2023-02-29 02:00", "the date 2023-02-29 never occurs"],
  ])("%j says why: %s", (expression, reason) => {
    expect(calendarEventProblem(expression)).toBe(reason);
  });
});
