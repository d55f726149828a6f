import * as path from "node:path";
import { checkStack } from "../../policies/offline/check-stack";
import { writeComplianceReport } from "../../policies/report/write-report";
import { parseToday } from "./command";

export interface ReportCommandOptions {
  stack: string;
  projectDir: string;
  out?: string;
  waivers?: string;
  today?: string;
}

/** `ibac report`: the compliance report as HTML (self-contained), Markdown and JSON. Exits 0 when written. */
export async function reportCommand(options: ReportCommandOptions): Promise<number> {
  const now = parseToday(options.today);
  const { result } = await checkStack({ stack: options.stack, projectDir: options.projectDir, ...(options.waivers ? { waiversFile: options.waivers } : {}), ...(now ? { now } : {}) });
  const outDir = options.out ?? path.join(options.projectDir, "out", options.stack);
  const files = writeComplianceReport(result, outDir);
  const s = result.summary;
  console.log(`Compliance report of ${options.stack}: ${s.requirements} requirements (${s.pass} pass, ${s.fail} fail, ${s.waived} waived, ${s.declared} declared only, ${s.manual} manual, ${s.notImplemented} not implemented), ${s.outOfScope} out of scope.`);
  console.log(`Verdict: ${result.verdict.headline}.`);
  console.log(`Wrote ${files.html}\n      ${files.markdown}\n      ${files.json}`);
  return 0;
}
