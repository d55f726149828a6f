import type { AgentCommand } from "../plan/types";

// An agent command's argv becomes one `command[name]=` line, which NRPE hands to `/bin/sh -c`, and (asRoot)
// one sudoers rule. Both formats have their own metacharacters, so every element is checked and quoted here.

/** NRPE reads its config with fgets into a 2048-byte buffer: a longer line would be split into two. */
export const NRPE_MAX_LINE = 2047;

/** The sudo every root command runs through; `-n` fails instead of prompting when no rule matches. */
export const SUDO = "/usr/bin/sudo";

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

function codePoint(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Refuses what no quoting makes safe: NRPE splits lines at newlines and expands `$...$` macros itself. */
export function checkAgentCommand(cmd: AgentCommand): void {
  if (!NAME.test(cmd.name)) {
    throw new Error(`agent command "${cmd.name}": a name is 1-64 of [A-Za-z0-9_.-] (NRPE's command[...] and check_nrpe -c)`);
  }
  if (cmd.argv.length === 0) throw new Error(`agent command ${cmd.name}: argv is empty`);
  if (!cmd.argv[0]!.startsWith("/")) throw new Error(`agent command ${cmd.name}: the program "${cmd.argv[0]}" is not an absolute path`);
  cmd.argv.forEach((arg, i) => {
    const control = CONTROL.exec(arg);
    if (control) throw new Error(`agent command ${cmd.name}: argument ${i} contains a control character (${codePoint(control[0])})`);
    if (arg.includes("$")) throw new Error(`agent command ${cmd.name}: argument ${i} contains "$" (NRPE expands $...$ macros in a command line)`);
  });
}

const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One argument for /bin/sh: as is when it has no shell metacharacter, else single-quoted. */
export function shellQuote(arg: string): string {
  return SHELL_SAFE.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The argv NRPE runs: a root command through `sudo -n --`, so sudo matches exactly the argv in its rule. */
export function effectiveArgv(cmd: AgentCommand): string[] {
  return cmd.asRoot ? [SUDO, "-n", "--", ...cmd.argv] : [...cmd.argv];
}

/** The `command[name]=...` line of NRPE's config. */
export function nrpeCommandLine(cmd: AgentCommand): string {
  checkAgentCommand(cmd);
  const line = `command[${cmd.name}]=${effectiveArgv(cmd).map(shellQuote).join(" ")}`;
  if (Buffer.byteLength(line) > NRPE_MAX_LINE) {
    throw new Error(`agent command ${cmd.name}: its NRPE line is ${Buffer.byteLength(line)} bytes, more than NRPE reads (${NRPE_MAX_LINE})`);
  }
  return line;
}

// sudoers matches a rule's arguments as one space-joined string with glob characters; an argument holding a
// space or a glob could match more than the one argv, so such arguments are refused, not escaped.
const SUDOERS_ARG = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** The argv as a sudoers Cmnd: `,` `:` `=` escaped; a program without arguments gets `""` (no arguments allowed). */
export function sudoersCommand(cmd: AgentCommand): string {
  checkAgentCommand(cmd);
  cmd.argv.forEach((arg, i) => {
    if (!SUDOERS_ARG.test(arg)) {
      throw new Error(`agent command ${cmd.name}: argument ${i} "${arg}" cannot be matched exactly by sudoers (allowed: [A-Za-z0-9_@%+=:,./-])`);
    }
  });
  const escaped = cmd.argv.map((arg) => arg.replace(/[,:=\\]/g, (c) => `\\${c}`));
  return cmd.argv.length === 1 ? `${escaped[0]} ""` : escaped.join(" ");
}
