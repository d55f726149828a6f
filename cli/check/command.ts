import * as fs from "node:fs";
import * as path from "node:path";
import { checkStack } from "../../policies/offline/check-stack";
import { formatComplianceText } from "../../policies/results/format-text";
import { formatComplianceSarif } from "../../policies/results/format-sarif";
import { formatComplianceJunit } from "../../policies/results/format-junit";
import { InputError } from "../../components/input/input-error";

export const CHECK_FORMATS = ["text", "json", "sarif", "junit"] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];

export interface CheckCommandOptions {
  stack: string;
  projectDir: string;
  format: CheckFormat;
  out?: string;
  waivers?: string;
  /** YYYY-MM-DD: check as of that day (end-of-life dates, waiver expiry). */
  today?: string;
}

/** Parses `--today`; a user mistake is an InputError (exit 2), not a crash. */
export function parseToday(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T12:00:00Z`) : new Date(NaN);
  if (Number.isNaN(date.getTime())) throw new InputError([{ file: "--today", path: "", detail: `expected a date YYYY-MM-DD, found ${JSON.stringify(value)}` }]);
  return date;
}

/**
 * `ibac check`: exit 1 on any mandatory violation (open, or under an expired waiver), else 0. An
 * incomplete verdict (mandatory requirements not implemented or only declared) does not fail by itself:
 * CI gates on what the toolkit can show wrong; the verdict line and the report say what it cannot show.
 */
export async function checkCommand(options: CheckCommandOptions): Promise<number> {
  const now = parseToday(options.today);
  const { result } = await checkStack({ stack: options.stack, projectDir: options.projectDir, ...(options.waivers ? { waiversFile: options.waivers } : {}), ...(now ? { now } : {}) });
  const stackFile = path.join("stacks", `Pulumi.${options.stack}.yaml`);
  const text = options.format === "json" ? `${JSON.stringify(result, null, 2)}\n`
    : options.format === "sarif" ? `${formatComplianceSarif(result, stackFile)}\n`
    : options.format === "junit" ? `${formatComplianceJunit(result)}\n`
    : formatComplianceText(result);
  if (options.out) {
    fs.mkdirSync(path.dirname(path.resolve(options.out)), { recursive: true });
    fs.writeFileSync(options.out, text);
    console.log(`Wrote ${options.out} (${options.format}). Mandatory violations: ${result.summary.mandatoryViolations}; advisory: ${result.summary.advisoryViolations}. Verdict: ${result.verdict.headline}.`);
  } else {
    process.stdout.write(text);
  }
  return result.summary.mandatoryViolations > 0 ? 1 : 0;
}
