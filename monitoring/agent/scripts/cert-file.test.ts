import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_SCRIPTS } from "../../paths";
import { scriptBench } from "../../../test/support/agent-script";
import { requireTool, runTool } from "../../../test/support/require-tool";

// Real certificates, made here by openssl with the validity each case needs.
const bench = scriptBench("agent-cert");
afterAll(() => bench.remove());

function certValidFor(days: number): string {
  const file = path.join(bench.dir, `cert-${days}.pem`);
  const r = runTool(requireTool("openssl", "openssl"), [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", `/CN=valid ${days} days`,
    "-days", String(days), "-keyout", path.join(bench.dir, `key-${days}.pem`), "-out", file,
  ]);
  if (r.status !== 0) throw new Error(r.stderr);
  return file;
}

const files: Record<number, string> = {};
beforeAll(() => {
  for (const d of [40, 20, 5]) files[d] = certValidFor(d);
});

describe("check_ibac_cert_file", () => {
  it("is OK, WARNING or CRITICAL by the days left against 30/14", () => {
    // Whole days left, rounded down: a certificate made this second for N days has N or N-1 left.
    const at = (d: number) => bench.run(AGENT_SCRIPTS.certFile, [files[d]!, "30", "14"]);
    expect(at(40).status).toBe(0);
    expect(at(40).line).toMatch(new RegExp(`^CERT OK - ${files[40]} expires .+ GMT \\((39|40) days\\) \\| days=(39|40);30:;14:$`));
    expect(at(20).status).toBe(1);
    expect(at(20).line).toMatch(/^CERT WARNING - .+ \((19|20) days\) \| days=(19|20);30:;14:$/);
    expect(at(5).status).toBe(2);
    expect(at(5).line).toMatch(/^CERT CRITICAL - .+ \((4|5) days\) \| days=(4|5);30:;14:$/);
  });

  it("is CRITICAL for a missing or unparsable file, UNKNOWN on bad usage", () => {
    const missing = path.join(bench.dir, "missing.pem");
    expect(bench.run(AGENT_SCRIPTS.certFile, [missing, "30", "14"])).toMatchObject({ status: 2, line: `CERT CRITICAL - ${missing} is not a readable certificate` });
    const junk = path.join(bench.dir, "junk.pem");
    fs.writeFileSync(junk, "not a certificate\n");
    expect(bench.run(AGENT_SCRIPTS.certFile, [junk, "30", "14"])).toMatchObject({ status: 2, line: `CERT CRITICAL - ${junk} is not a readable certificate` });
    const usage = "CERT UNKNOWN - usage: check_ibac_cert_file FILE WARN_DAYS CRIT_DAYS (integers, WARN > CRIT)";
    expect(bench.run(AGENT_SCRIPTS.certFile, [files[40]!, "14", "30"])).toMatchObject({ status: 3, line: usage });
    expect(bench.run(AGENT_SCRIPTS.certFile, [files[40]!])).toMatchObject({ status: 3, line: usage });
  });
});
