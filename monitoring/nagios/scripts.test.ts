import * as fs from "node:fs";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { monitoringPathsUnder, type EnginePaths } from "../paths";
import { describeRun, requireTool, runTool } from "../../test/support/require-tool";
import { smallPlan } from "../../test/fixtures/monitoring-engine/small-plan";
import { makeRoot } from "../../test/fixtures/monitoring-engine/nagios-verify";
import { makeTlsFiles, startTlsServer, type TlsFiles, type TlsServer } from "../../test/fixtures/monitoring-engine/tls-server";
import { renderNotifyScript } from "./render-notify-script";
import { renderTakeoverScript } from "./render-takeover-script";
import { renderHttpsCheckScript, renderTlsCheckScript } from "./render-tls-check-scripts";

let root: string;
let paths: EnginePaths;

beforeAll(() => {
  root = makeRoot("nagios-scripts");
  paths = monitoringPathsUnder(root).engine;
  fs.mkdirSync(paths.scriptDir, { recursive: true });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function install(name: string, text: string): string {
  const file = path.join(paths.scriptDir, name);
  fs.writeFileSync(file, text, { mode: 0o755 });
  return file;
}

describe("the engine's scripts, checked by sh -n and shellcheck", () => {
  it.each([
    ["ibac-notify", () => renderNotifyScript(smallPlan().notifications, paths)],
    ["ibac-standby-takeover", () => renderTakeoverScript(paths)],
    ["ibac-check-tls", () => renderTlsCheckScript(paths)],
    ["ibac-check-https", () => renderHttpsCheckScript(paths)],
  ])("%s parses and passes shellcheck (POSIX sh)", (name, render) => {
    const shellcheck = requireTool("shellcheck", "shellcheck");
    const file = install(name, render());
    const syntax = runTool("sh", ["-n", file]);
    expect(syntax.status, describeRun(syntax)).toBe(0);
    const lint = runTool(shellcheck, ["--shell=sh", "--severity=style", file]);
    expect(lint.status, describeRun(lint)).toBe(0);
  });
});

describe("ibac-notify: a mail from the environment macros, piped to the mail client", () => {
  const stub = (): { mailer: string; argvFile: string; mailFile: string } => {
    const argvFile = path.join(root, "mailer-argv");
    const mailFile = path.join(root, "mailer-mail");
    const mailer = path.join(root, "mailer-stub");
    fs.writeFileSync(mailer, `#!/bin/sh\nprintf '%s\\n' "$@" > '${argvFile}'\ncat > '${mailFile}'\n`, { mode: 0o755 });
    return { mailer, argvFile, mailFile };
  };

  it("writes From/To/Subject/Date, keeps hostile output on one body line, runs nothing it was given", () => {
    const { mailer, argvFile, mailFile } = stub();
    const script = install("ibac-notify", renderNotifyScript(smallPlan().notifications, paths, mailer));
    const pwned = path.join(root, "pwned");
    const result = runTool(script, ["service"], {
      env: {
        NAGIOS_CONTACTEMAIL: "oncall@example.org",
        NAGIOS_NOTIFICATIONTYPE: "PROBLEM",
        NAGIOS_HOSTNAME: "db-2\r\nBcc: evil@example.net",
        NAGIOS_SERVICEDESC: "mariadb replication",
        NAGIOS_SERVICESTATE: "CRITICAL",
        NAGIOS_SERVICEOUTPUT: `lag 300 s $(touch ${pwned}) \`touch ${pwned}\`\nTo: evil@example.net`,
        NAGIOS__SERVICEFLOW: "monitoring>db:mysql",
      },
    });
    expect(result.status, describeRun(result)).toBe(0);
    expect(fs.readFileSync(argvFile, "utf8").split("\n")).toEqual(["-C", paths.msmtpConfig, "--", "oncall@example.org", ""]);
    const mail = fs.readFileSync(mailFile, "utf8");
    const [head, body] = mail.split("\n\n");
    const headers = head.split("\n");
    expect(headers.map((h) => h.split(":")[0])).toEqual(["From", "To", "Subject", "Date", "MIME-Version", "Content-Type", "Auto-Submitted"]);
    expect(headers[0]).toBe("From: monitoring@example.org");
    expect(headers[1]).toBe("To: oncall@example.org");
    expect(headers[2]).toBe("Subject: ** PROBLEM Service Alert: db-2Bcc: evil@example.net/mariadb replication is CRITICAL **");
    expect(headers[3]).toMatch(/^Date: [A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/);
    expect(body).toContain(`Output: lag 300 s $(touch ${pwned}) \`touch ${pwned}\` To: evil@example.net\n`);
    expect(body).toContain("Flow: monitoring>db:mysql\n");
    expect(body.split("\n").some((l) => l.startsWith("To:"))).toBe(false);
    expect(fs.existsSync(pwned)).toBe(false);
  });

  it.each([
    [{ NAGIOS_CONTACTEMAIL: "-oProxyCommand=x@example.org" }, "service", "ibac-notify: no usable contact address in NAGIOS_CONTACTEMAIL"],
    [{}, "service", "ibac-notify: no usable contact address in NAGIOS_CONTACTEMAIL"],
    [{ NAGIOS_CONTACTEMAIL: "oncall@example.org" }, "bogus", "ibac-notify: expected host or service, found 'bogus'"],
  ])("refuses %j %s", (env, kind, message) => {
    const { mailer, argvFile } = stub();
    fs.rmSync(argvFile, { force: true });
    const script = install("ibac-notify", renderNotifyScript(smallPlan().notifications, paths, mailer));
    const result = runTool(script, [kind], { env });
    expect(result.status, describeRun(result)).toBe(3);
    expect(result.stderr.trim()).toBe(message);
    expect(fs.existsSync(argvFile)).toBe(false);
  });
});

describe("ibac-standby-takeover: writes to the standby's command pipe", () => {
  /** Runs the handler with a reader on a real FIFO at the command file's path; returns what it wrote. */
  async function run(args: string[]): Promise<{ status: number | null; written: string }> {
    fs.mkdirSync(path.dirname(paths.commandFile), { recursive: true });
    fs.rmSync(paths.commandFile, { force: true });
    const made = runTool("mkfifo", [paths.commandFile]);
    expect(made.status, describeRun(made)).toBe(0);
    // Opened read-write, the reader never sees end of file: it shows everything written, then is killed.
    const reader = spawn("sh", ["-c", 'exec 3<>"$1"; exec cat <&3', "reader", paths.commandFile], { stdio: ["ignore", "pipe", "ignore"] });
    let written = "";
    reader.stdout.on("data", (d: Buffer) => (written += d.toString()));
    try {
      await new Promise((r) => setTimeout(r, 100));
      const script = install("ibac-standby-takeover", renderTakeoverScript(paths));
      const result = runTool(script, args, { timeout: 10_000 });
      await new Promise((r) => setTimeout(r, 200));
      return { status: result.status, written };
    } finally {
      if (reader.pid !== undefined) process.kill(reader.pid, "SIGTERM");
    }
  }

  it.each([
    [["DOWN", "HARD", "OK", "HARD"], "ENABLE_NOTIFICATIONS"],
    [["UNREACHABLE", "HARD", "OK", "HARD"], "ENABLE_NOTIFICATIONS"],
    [["UP", "HARD", "CRITICAL", "HARD"], "ENABLE_NOTIFICATIONS"],
    [["UP", "HARD", "OK", "HARD"], "DISABLE_NOTIFICATIONS"],
  ])("%j -> %s", async (args, command) => {
    const { status, written } = await run(args);
    expect(status).toBe(0);
    expect(written).toMatch(new RegExp(`^\\[\\d{10}\\] ${command}\\n$`));
  });

  it.each([[["DOWN", "SOFT", "OK", "HARD"]], [["UP", "HARD", "CRITICAL", "SOFT"]], [["UP", "HARD", "WARNING", "HARD"]]])("%j (soft, or neither down nor back): writes nothing", async (args) => {
    const { status, written } = await run(args);
    expect(status).toBe(0);
    expect(written).toBe("");
  });

  it("refuses a command file that is not a pipe", () => {
    fs.rmSync(paths.commandFile, { force: true });
    fs.writeFileSync(paths.commandFile, "");
    const script = install("ibac-standby-takeover", renderTakeoverScript(paths));
    const result = runTool(script, ["DOWN", "HARD", "OK", "HARD"]);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(`ibac-standby-takeover: ${paths.commandFile} is not the engine's command pipe`);
    expect(fs.readFileSync(paths.commandFile, "utf8")).toBe("");
  });
});

describe("ibac-check-tls and ibac-check-https against openssl s_server (Debian 12 plugins 2.3.3)", () => {
  const NAME = "api.ibac.internal";
  let tlsDir: string;
  let files: TlsFiles;
  let server: TlsServer;

  beforeAll(async () => {
    tlsDir = path.join(root, "tls");
    fs.mkdirSync(tlsDir);
    files = makeTlsFiles(tlsDir, NAME, 20);
    server = await startTlsServer(files);
  });
  afterAll(() => server.stop());

  function script(kind: "tls" | "https", ca: string): string {
    const p = { ...paths, caFile: ca };
    return kind === "tls" ? install("ibac-check-tls", renderTlsCheckScript(p)) : install("ibac-check-https", renderHttpsCheckScript(p));
  }
  const args = (kind: "tls" | "https", name: string, warn: number, crit: number): string[] =>
    kind === "tls" ? ["127.0.0.1", String(server.port), name, String(warn), String(crit)] : ["127.0.0.1", String(server.port), name, "/health", "200", String(warn), String(crit)];

  it.each(["tls", "https"] as const)("%s: verified and far from expiry: OK", (kind) => {
    requireTool("/usr/lib/nagios/plugins/check_curl", "monitoring-plugins-standard liburiparser1");
    const r = runTool(script(kind, files.ca), args(kind, NAME, 10, 5));
    expect(r.status, describeRun(r)).toBe(0);
  });

  it.each(["tls", "https"] as const)("%s: expires within the warning days: WARNING, first line", (kind) => {
    const r = runTool(script(kind, files.ca), args(kind, NAME, 30, 14));
    expect(r.status, describeRun(r)).toBe(1);
    expect(r.stdout.split("\n")[0], describeRun(r)).toMatch(/^WARNING - Certificate 'api.ibac.internal' expires in (19|20) day\(s\)/);
  });

  it.each(["tls", "https"] as const)("%s: signed by another CA: CRITICAL", (kind) => {
    const r = runTool(script(kind, files.otherCa), args(kind, NAME, 10, 5));
    expect(r.status, describeRun(r)).toBe(2);
  });

  it.each(["tls", "https"] as const)("%s: another name than the certificate's: CRITICAL", (kind) => {
    const r = runTool(script(kind, files.ca), args(kind, "wrong.ibac.internal", 10, 5));
    expect(r.status, describeRun(r)).toBe(2);
  });

  it("usage: a wrong number of arguments is UNKNOWN", () => {
    const r = runTool(script("tls", files.ca), ["127.0.0.1"]);
    expect(r.status).toBe(3);
    expect(r.stdout.trim()).toBe("UNKNOWN - usage: ibac-check-tls ADDRESS PORT NAME WARN_DAYS CRIT_DAYS");
  });
});
