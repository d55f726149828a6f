import * as fs from "node:fs";
import * as path from "node:path";
import type { ComplianceResult } from "../results/types";
import { renderComplianceHtml } from "./render-html";
import { renderComplianceMarkdown } from "./render-markdown";

export interface ReportFiles {
  html: string;
  markdown: string;
  json: string;
}

/** The stack name as a file-name part: a name from data never escapes the output directory. */
export function reportBaseName(stack: string): string {
  return `compliance-${stack.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_")}`;
}

/**
 * Writes `compliance-<stack>.html`, `.md` and `.json` (the result itself, 2-space indent) into `outDir`,
 * creating it; returns the three paths.
 */
export function writeComplianceReport(result: ComplianceResult, outDir: string): ReportFiles {
  fs.mkdirSync(outDir, { recursive: true });
  const base = path.join(outDir, reportBaseName(result.stack));
  const files: ReportFiles = { html: `${base}.html`, markdown: `${base}.md`, json: `${base}.json` };
  fs.writeFileSync(files.html, renderComplianceHtml(result));
  fs.writeFileSync(files.markdown, renderComplianceMarkdown(result));
  fs.writeFileSync(files.json, `${JSON.stringify(result, null, 2)}\n`);
  return files;
}
