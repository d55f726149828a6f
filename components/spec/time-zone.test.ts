import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { timeZoneProblem } from "./time-zone";

const TZDATA = "/usr/share/zoneinfo/tzdata.zi";

/** Zone and link names of Debian's tzdata (the zone database the VMs and the nodes use). */
function tzdataNames(): string[] {
  if (!fs.existsSync(TZDATA)) throw new Error(`${TZDATA} is missing: apt-get install -y --no-install-recommends tzdata`);
  return fs
    .readFileSync(TZDATA, "utf8")
    .split("\n")
    .filter((line) => /^[ZL] /.test(line))
    .map((line) => (line.startsWith("Z ") ? line.split(" ")[1] : line.split(" ")[2]));
}

describe("IANA time zones", () => {
  it.each(["Europe/Tallinn", "UTC", "Etc/GMT+5", "America/Argentina/Buenos_Aires", "Europe/Kiev", "US/Eastern", "EST5EDT"])("%s is a zone", (zone) => {
    expect(timeZoneProblem(zone)).toBeUndefined();
  });

  it.each([
    ["Europe/Tallin", 'expected an IANA time zone such as Europe/Tallinn, found "Europe/Tallin"; did you mean "Europe/Tallinn"?'],
    ["europe/tallinn", 'expected an IANA time zone such as Europe/Tallinn, found "europe/tallinn"; did you mean "Europe/Tallinn"?'],
    ["Mars/Olympus_Mons", 'expected an IANA time zone such as Europe/Tallinn, found "Mars/Olympus_Mons"'],
    ["Factory", 'expected an IANA time zone such as Europe/Tallinn, found "Factory"'],
  ])("%s is not", (zone, message) => {
    expect(timeZoneProblem(zone)).toBe(message);
  });

  it("accepts every zone and link of Debian's tzdata but Factory (which is no place), and nothing tzdata lacks", () => {
    const names = tzdataNames();
    expect(names.length).toBeGreaterThan(400);
    expect(names.filter((z) => timeZoneProblem(z) !== undefined)).toEqual(["Factory"]);
    expect(Intl.supportedValuesOf("timeZone").filter((z) => !names.includes(z))).toEqual([]);
  });
});
