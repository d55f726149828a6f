import { describe, expect, it } from "vitest";
import type { AgentCommand } from "../plan/types";
import { describeRun, runTool } from "../../test/support/require-tool";
import { nrpeCommandLine, shellQuote, sudoersCommand } from "./command-line";

const cmd = (argv: string[], asRoot = false, name = "ibac_x"): AgentCommand => ({ name, argv, asRoot, what: "test" });

describe("agent command lines", () => {
  it("quote every argument so /bin/sh gives back exactly the argv", () => {
    const argv = ["/usr/bin/printf", "%s\\n", "plain", "two words", "it's", "a;b|c&d", "`x`", "\"q\"", "*", "~", "", "-n"];
    const line = argv.map(shellQuote).join(" ");
    const r = runTool("/bin/sh", ["-c", line]);
    expect(r.status, describeRun(r)).toBe(0);
    expect(r.stdout.split("\n").slice(0, -1)).toEqual(argv.slice(2));
  });

  it("render the NRPE line, root commands through sudo -n --", () => {
    expect(nrpeCommandLine(cmd(["/usr/lib/nagios/plugins/check_load", "-r", "-w", "2,1.5,1"]))).toBe("command[ibac_x]=/usr/lib/nagios/plugins/check_load -r -w 2,1.5,1");
    expect(nrpeCommandLine(cmd(["/usr/local/lib/ibac/nrpe/check_ibac_drbd", "r0"], true, "ibac_drbd_r0"))).toBe(
      "command[ibac_drbd_r0]=/usr/bin/sudo -n -- /usr/local/lib/ibac/nrpe/check_ibac_drbd r0",
    );
    expect(nrpeCommandLine(cmd(["/bin/echo", "a b"]))).toBe("command[ibac_x]=/bin/echo 'a b'");
  });

  it("refuse control characters, NRPE macros, relative programs and bad names with exact messages", () => {
    expect(() => nrpeCommandLine(cmd(["/bin/echo", "a\nb"]))).toThrow("agent command ibac_x: argument 1 contains a control character (U+000A)");
    expect(() => nrpeCommandLine(cmd(["/bin/echo", "a\u007fb"]))).toThrow("agent command ibac_x: argument 1 contains a control character (U+007F)");
    expect(() => nrpeCommandLine(cmd(["/bin/echo", "$ARG1$"]))).toThrow('agent command ibac_x: argument 1 contains "$" (NRPE expands $...$ macros in a command line)');
    expect(() => nrpeCommandLine(cmd(["echo", "x"]))).toThrow('agent command ibac_x: the program "echo" is not an absolute path');
    expect(() => nrpeCommandLine(cmd([]))).toThrow("agent command ibac_x: argv is empty");
    expect(() => nrpeCommandLine(cmd(["/bin/true"], false, "bad]name"))).toThrow('agent command "bad]name": a name is 1-64 of [A-Za-z0-9_.-] (NRPE\'s command[...] and check_nrpe -c)');
    expect(() => nrpeCommandLine(cmd(["/bin/echo", "x".repeat(2100)]))).toThrow("agent command ibac_x: its NRPE line is 2126 bytes, more than NRPE reads (2047)");
  });

  it("render sudoers commands that match only this argv", () => {
    expect(sudoersCommand(cmd(["/usr/local/lib/ibac/nrpe/check_ibac_pacemaker"], true))).toBe('/usr/local/lib/ibac/nrpe/check_ibac_pacemaker ""');
    expect(sudoersCommand(cmd(["/usr/local/lib/ibac/nrpe/check_ibac_bacula_job", "/var/lib/bacula/bacula.db", "db-1-fd", "26"], true))).toBe(
      "/usr/local/lib/ibac/nrpe/check_ibac_bacula_job /var/lib/bacula/bacula.db db-1-fd 26",
    );
    expect(sudoersCommand(cmd(["/usr/bin/x", "a=b,c:d"], true))).toBe("/usr/bin/x a\\=b\\,c\\:d");
    expect(() => sudoersCommand(cmd(["/usr/bin/x", "two words"], true))).toThrow('agent command ibac_x: argument 1 "two words" cannot be matched exactly by sudoers (allowed: [A-Za-z0-9_@%+=:,./-])');
    expect(() => sudoersCommand(cmd(["/usr/bin/x", "*"], true))).toThrow('agent command ibac_x: argument 1 "*" cannot be matched exactly by sudoers');
  });
});
