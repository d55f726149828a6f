import type { ClientResult } from "./lb-lab";

// What the failover tests and bench/lb-failover.ts read from the closed-loop client's results and the logs.

/** Requests that failed and ended at or after `fromMs` (and before `toMs`, when given). */
export function failuresSince(results: readonly ClientResult[], fromMs: number, toMs = Infinity): ClientResult[] {
  return results.filter((r) => !r.ok && r.endMs >= fromMs && r.endMs < toMs);
}

/**
 * How long the address did not answer after `killMs`: from the kill to the end of the first successful request
 * that started at or after it (a request that started before may still have been served by the dying balancer).
 * Undefined when no request started after the kill succeeded.
 */
export function recoveryGapMs(results: readonly ClientResult[], killMs: number): number | undefined {
  const ends = results.filter((r) => r.ok && r.startMs >= killMs).map((r) => r.endMs);
  return ends.length ? Math.min(...ends) - killMs : undefined;
}

/** Which instances answered the successful requests that ended in [fromMs, toMs), counted. */
export function answeredBy(results: readonly ClientResult[], fromMs = -Infinity, toMs = Infinity): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of results) if (r.ok && r.endMs >= fromMs && r.endMs < toMs) counts[r.detail] = (counts[r.detail] ?? 0) + 1;
  return counts;
}

/** The receive time of the first log line at or after `fromMs` that matches, from the lab's "<ms> <text>" lines. */
export function firstLogLineAt(lines: readonly string[], fromMs: number, pattern: RegExp): { atMs: number; text: string } | undefined {
  for (const line of lines) {
    const m = /^(\d+) (.*)$/.exec(line);
    if (m && Number(m[1]) >= fromMs && pattern.test(m[2])) return { atMs: Number(m[1]), text: m[2] };
  }
  return undefined;
}

/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
