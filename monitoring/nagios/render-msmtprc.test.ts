import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PRODUCTION_MONITORING_PATHS } from "../paths";
import { describeRun, requireTool, runTool } from "../../test/support/require-tool";
import { smallPlan } from "../../test/fixtures/monitoring-engine/small-plan";
import { makeRoot } from "../../test/fixtures/monitoring-engine/nagios-verify";
import { renderMsmtprc } from "./render-msmtprc";

// msmtp --pretend reads the configuration and prints the account it would use, without any network.
function pretend(text: string) {
  const msmtp = requireTool("msmtp", "msmtp");
  const root = makeRoot("msmtprc");
  try {
    const file = path.join(root, "msmtprc");
    fs.writeFileSync(file, text, { mode: 0o600 });
    return runTool(msmtp, ["-C", file, "--pretend"], { env: { PATH: "/usr/bin:/bin", HOME: root } });
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

describe("renderMsmtprc, read by msmtp 1.8.23 (--pretend: parses, no network)", () => {
  const text = renderMsmtprc(smallPlan().notifications, PRODUCTION_MONITORING_PATHS.engine);

  it("msmtp reads it: STARTTLS required, certificate checked against the trust file, no auth", () => {
    const r = pretend(text);
    expect(r.status, describeRun(r)).toBe(0);
    for (const line of ["host = relay.example.org", "port = 587", "tls = on", "tls_starttls = on", "tls_certcheck = on", "tls_trust_file = /etc/ssl/certs/ca-certificates.crt", "auth = none", "from = monitoring@example.org", "allow_from_override = off", "syslog = LOG_MAIL"]) {
      expect(r.stdout.split("\n"), describeRun(r)).toContain(line);
    }
  });

  it("mutant: an unknown key is refused (exit 78)", () => {
    const r = pretend(text.replace("auth off", "auth off\nbogus_key 1"));
    expect(r.status, describeRun(r)).toBe(78);
    expect(r.stderr).toMatch(/unknown command bogus_key/);
  });
});
