import * as fs from "node:fs";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { monitoringPathsUnder } from "../paths";
import { requireTool } from "../../test/support/require-tool";
import { smallPlan } from "../../test/fixtures/monitoring-engine/small-plan";
import { makeRoot, writeFiles } from "../../test/fixtures/monitoring-engine/nagios-verify";
import { freePort } from "../../test/fixtures/monitoring-engine/tls-server";
import { renderEngineFiles } from "./render-engine-files";
import type { EngineOptions } from "./render-main-cfg";

// The real nagios4 (4.4.6) running the standby's files on loopback, every host at 127.0.0.1 on a closed port:
// everything is down. Proves the on-demand macros of the handler's command line, the handler writing to the
// real command pipe, Nagios obeying it, and the parents: one mail per contact for each node DOWN, none for the
// VMs behind them (UNREACHABLE) or their services. The mail client is a stub (no relay here).
describe("the standby's takeover, in a running nagios4 (loopback, stub mailer)", () => {
  it("notifications off at start, on after the active VM's host is unreachable; only the nodes notify", async () => {
    const nagios = requireTool("nagios4", "nagios4-core");
    const root = makeRoot("nagios-run");
    let pid: number | undefined;
    try {
      const closed = await freePort();
      const plan = smallPlan();
      plan.timing = { intervalSeconds: 2, retryIntervalSeconds: 1, attempts: 2 };
      plan.hosts = plan.hosts.map((h) => ({ ...h, address: "127.0.0.1" }));
      plan.agents = plan.agents.map((a) => ({ ...a, port: closed }));
      plan.checks = plan.checks.map((c) => ("port" in c.command ? { ...c, command: { ...c.command, port: closed } } : c));
      const mails = path.join(root, "mails");
      const mailer = path.join(root, "mailer");
      fs.mkdirSync(mails);
      // One file per mail: its arguments, then the message.
      fs.writeFileSync(mailer, `#!/bin/sh\nf=$(mktemp '${mails}/mail.XXXXXX')\nprintf '%s\\n' "$*" > "$f"\ncat >> "$f"\n`, { mode: 0o755 });
      // Run as root over the private tree: nagios_user root (on a VM it is Debian's nagios).
      const options: EngineOptions = { nagiosUser: "root", nagiosGroup: "root", mailer };
      const paths = monitoringPathsUnder(root).engine;
      writeFiles(renderEngineFiles(plan, "mon-2", paths, { mysqlPassword: "x" }, options), paths, options);

      const child = spawn(nagios, [paths.mainConfig], { stdio: "ignore" });
      pid = child.pid;
      const log = (): string => (fs.existsSync(paths.logFile) ? fs.readFileSync(paths.logFile, "utf8") : "");
      // Seconds when the machine is idle; a loaded CI machine delays Nagios's own scheduling (one retry took 15 s).
      const until = Date.now() + 120_000;
      while (!/HOST EVENT HANDLER: mon-1;UNREACHABLE;HARD/.test(log()) || (log().match(/HOST NOTIFICATION:/g) ?? []).length < 4) {
        if (Date.now() > until) throw new Error(`no takeover within 120 s; the log:\n${log()}`);
        if (child.exitCode !== null) throw new Error(`nagios4 exited ${child.exitCode}; the log:\n${log()}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      await new Promise((r) => setTimeout(r, 1000));
      const text = log();
      expect(text).toMatch(/EXTERNAL COMMAND: ENABLE_NOTIFICATIONS;/);
      // Before the handler ran, notifications were off: no notification precedes the first ENABLE.
      expect(text.indexOf("HOST NOTIFICATION:")).toBeGreaterThan(text.indexOf("EXTERNAL COMMAND: ENABLE_NOTIFICATIONS"));
      const notified = [...text.matchAll(/(HOST|SERVICE) NOTIFICATION: ([^;]+);([^;]+);/g)].map((m) => `${m[2]} ${m[3]}`).sort();
      expect(notified).toEqual(["mail-oncall@example.org pve1", "mail-oncall@example.org pve2", "mail-second@example.org pve1", "mail-second@example.org pve2"]);
      const subjects = fs.readdirSync(mails).map((f) => /^Subject: (.*)$/m.exec(fs.readFileSync(path.join(mails, f), "utf8"))?.[1]).sort();
      expect(subjects).toEqual(["** PROBLEM Host Alert: pve1 is DOWN **", "** PROBLEM Host Alert: pve1 is DOWN **", "** PROBLEM Host Alert: pve2 is DOWN **", "** PROBLEM Host Alert: pve2 is DOWN **"]);
      // The body comes from the environment macros (enable_environment_macros=1), custom variables included.
      const mail = fs.readFileSync(path.join(mails, fs.readdirSync(mails)[0]), "utf8");
      expect(mail).toMatch(/^-C \S+\/msmtprc -- (oncall|second)@example\.org\nFrom: monitoring@example\.org\n/);
      expect(mail).toContain("\nKind: node\n");
      expect(mail).toContain(`\nOutput: connect to address 127.0.0.1 and port ${closed}: Connection refused\n`);
      expect(fs.readFileSync(paths.stateDir + "/status.dat", "utf8")).toMatch(/programstatus \{[^}]*enable_notifications=1/);
    } finally {
      if (pid !== undefined) {
        try {
          process.kill(pid, "SIGTERM");
        } catch {
          // already gone
        }
        for (let i = 0; i < 50; i++) {
          try {
            process.kill(pid, 0);
            await new Promise((r) => setTimeout(r, 100));
          } catch {
            break;
          }
        }
      }
      fs.rmSync(root, { recursive: true, force: true });
    }
  }, 150_000);
});
