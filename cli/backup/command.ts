import * as path from "node:path";
import { InputError } from "../../components/input/input-error";
import { loadStackFile, stackFilePath } from "../../components/spec/load";
import { compareRotations, DEFAULT_SIMULATION, formatComparison } from "../../backup/rotation/compare";

/** The longest window `--days` takes: 30 years (the simulator runs about 40 ms a year). */
export const MAX_SIMULATION_DAYS = 10_958;

export interface BackupSimulateOptions {
  stack: string;
  projectDir: string;
  from?: string;
  days?: string;
  json: boolean;
}

/** `--from`: a real calendar day YYYY-MM-DD (2026-02-30 is not one). */
export function parseFrom(value: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!m || !date || date.toISOString().slice(0, 10) !== value) {
    throw new InputError([{ file: "--from", path: "", detail: `expected a date YYYY-MM-DD, found ${JSON.stringify(value)}` }]);
  }
  return date;
}

/** `--days`: a whole number of days from 1 to MAX_SIMULATION_DAYS. */
export function parseDays(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 1 && n <= MAX_SIMULATION_DAYS)) {
    throw new InputError([{ file: "--days", path: "", detail: `expected a whole number of days from 1 to ${MAX_SIMULATION_DAYS}, found ${JSON.stringify(value)}` }]);
  }
  return n;
}

/** `ibac backup simulate`: the Hanoi rotation of the stack's photo policy next to the manual's GFS; exit 1 if the Hanoi plan breaks a promise in the window. */
export function backupSimulateCommand(options: BackupSimulateOptions): number {
  const from = parseFrom(options.from ?? DEFAULT_SIMULATION.from);
  const days = parseDays(options.days ?? String(DEFAULT_SIMULATION.days));
  const shownFile = path.join("stacks", `Pulumi.${options.stack}.yaml`);
  const { spec } = loadStackFile(stackFilePath(options.projectDir, options.stack), shownFile);
  const comparison = compareRotations(spec.backupPolicy.photos, { from, days });
  console.log(options.json ? JSON.stringify({ stack: options.stack, ...comparison }, null, 2) : formatComparison(comparison));
  const p = comparison.hanoi.promises;
  return p.newest.broken || p.oldest.broken || p.chain.broken ? 1 : 0;
}
