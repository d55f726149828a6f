import { describe, expect, it } from "vitest";
import type { ClientResult } from "./lb-lab";
import { answeredBy, failuresSince, firstLogLineAt, median, recoveryGapMs } from "./measure";

const ok = (startMs: number, endMs: number, instance = "api-1"): ClientResult => ({ startMs, endMs, ok: true, detail: instance });
const fail = (startMs: number, endMs: number, reason = "timeout"): ClientResult => ({ startMs, endMs, ok: false, detail: reason });

describe("load-balancer lab measurements (pure)", () => {
  it("the recovery gap ends with the first success that started after the kill, not one already in flight", () => {
    const results = [ok(990, 1004), fail(1001, 1251), ok(1100, 1700), ok(1252, 1640), fail(1260, 1510)];
    expect(recoveryGapMs(results, 1000)).toBe(640);
  });

  it("no success after the kill: no gap figure", () => {
    expect(recoveryGapMs([ok(900, 1001), fail(1001, 1300)], 1000)).toBeUndefined();
  });

  it("failures count from a time, by when they ended", () => {
    const results = [fail(10, 20), fail(10, 30, "ECONNRESET"), ok(30, 40), fail(35, 50)];
    expect(failuresSince(results, 30).map((r) => r.endMs)).toEqual([30, 50]);
    expect(failuresSince(results, 30, 50).map((r) => r.endMs)).toEqual([30]);
  });

  it("successes are counted per answering instance", () => {
    expect(answeredBy([ok(0, 1, "api-1"), ok(0, 2, "api-2"), ok(0, 3, "api-2"), fail(0, 4)], 2)).toEqual({ "api-2": 2 });
  });

  it("the first matching log line at or after a time, with its receive time", () => {
    const lines = ["100 <133>haproxy[1]: Server api/api-1 is DOWN, reason: x", "250 <133>haproxy[1]: Server api/api-1 is DOWN again", "junk"];
    expect(firstLogLineAt(lines, 200, /Server api\/api-1 is DOWN/)).toEqual({ atMs: 250, text: "<133>haproxy[1]: Server api/api-1 is DOWN again" });
    expect(firstLogLineAt(lines, 300, /DOWN/)).toBeUndefined();
  });

  it("median of odd and even counts; none is an error", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow("median of no values");
  });
});
