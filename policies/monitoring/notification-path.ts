// How a contact's notification command reaches the mail relay, read from the delivered files: the command's
// line (its `$USERn$` macros from the resource file), the script it runs, the msmtp call in it and the msmtprc
// that call names. Each step that cannot be followed is the answer's `problem`.
import type { HostFile } from "./host-files";
import { LineConfigError, lastValue, msmtpDefaultAccount, parseKeyEqualsValue, type ConfigLine, type MsmtpAccount } from "./line-configs";

/** The msmtp call of a notification command: the configuration it reads, and the script it is in. */
export type MsmtpCall = { config: string; via: string } | { problem: string };

const unquote = (s: string): string => s.replace(/^(["'])(.*)\1$/, "$2");

/** The command line with the `$USERn$` macros of the engine's resource file replaced. */
export function expandUserMacros(line: string, resourceFile: HostFile | undefined): string {
  if (!resourceFile) return line;
  let macros: ConfigLine[];
  try {
    macros = parseKeyEqualsValue(resourceFile.content, resourceFile.path);
  } catch (err) {
    if (err instanceof LineConfigError) return line;
    throw err;
  }
  return line.replace(/\$USER\d+\$/g, (m) => lastValue(macros, m)?.value ?? m);
}

/** The `-C FILE` / `--file=FILE` of the first msmtp call in a text (shell variables set in it resolved), or why there is none. */
export function msmtpCallIn(text: string): { config: string } | { problem: string } | undefined {
  const lines = text.split("\n").filter((l) => !l.trimStart().startsWith("#"));
  const call = lines.map((l) => /(?:^|[\s;|&(`'"])(?:\S*\/)?msmtp(?=[\s'"]|$)(.*)$/.exec(l)).find((m) => m !== null);
  if (!call) return undefined;
  const arg = /(?:^|\s)(?:-C\s*|--file=)(\S+)/.exec(call[1])?.[1];
  if (!arg) return { problem: "msmtp is called without -C: it reads a configuration the stack does not deliver (~/.msmtprc or /etc/msmtprc)" };
  const value = unquote(arg);
  const variable = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(value);
  if (!variable) return { config: value };
  const set = lines.map((l) => new RegExp(`^\\s*(?:readonly\\s+|export\\s+)?${variable[1]}=(\\S+)`).exec(l)).find((m) => m !== null);
  return set ? { config: unquote(set[1]) } : { problem: `msmtp -C ${value}: the variable is not set in the script` };
}

/** The program a command line runs (through sh or env, the script they run). */
export function programOf(line: string): string | undefined {
  const words = line.trim().split(/\s+/).map(unquote);
  let i = 0;
  while (i < words.length && /(^|\/)(sh|bash|dash|env)$/.test(words[i])) {
    i++;
    while (i < words.length && (words[i].startsWith("-") || words[i].includes("="))) i++;
  }
  return words[i];
}

/** Where the notification command line sends its mail: straight to msmtp, or through a delivered script that calls it. */
export function msmtpCallOf(commandLine: string, filesOnVm: readonly HostFile[]): MsmtpCall {
  const direct = msmtpCallIn(commandLine);
  if (direct) return "problem" in direct ? direct : { config: direct.config, via: "the command line" };
  const program = programOf(commandLine);
  const script = filesOnVm.find((f) => f.path === program);
  if (!script) return { problem: `it runs ${program ?? "nothing"}, which is neither msmtp nor a script the stack delivers` };
  const inScript = msmtpCallIn(script.content);
  if (!inScript) return { problem: `${script.path} does not call msmtp` };
  return "problem" in inScript ? { problem: `${script.path}: ${inScript.problem}` } : { config: inScript.config, via: script.path };
}

/** The msmtprc's default account, or why it cannot be read. */
export function readMsmtpAccount(file: HostFile): MsmtpAccount | { problem: string } {
  try {
    return msmtpDefaultAccount(file.content, file.path);
  } catch (err) {
    if (err instanceof LineConfigError) return { problem: err.message };
    throw err;
  }
}

/** The text a command line runs: the line itself and, when its program is a delivered script, the script's text. */
export function textRunBy(commandLine: string, filesOnVm: readonly HostFile[]): string {
  const program = programOf(commandLine);
  const script = filesOnVm.find((f) => f.path === program);
  return script ? `${commandLine}\n${script.content}` : commandLine;
}
