// One way into a Bacula file for every value: names are checked against the characters Bacula's names may hold,
// everything else is double-quoted. Bacula's lexer reads `\"` and `\\` inside a quoted string as the character
// itself, so those two are escaped; a control character (a line break would end the directive and start a new
// one) cannot be held and is refused.

/** Bacula's resource names: 1..127 characters (MAX_NAME_LENGTH 128), letters, digits, `.`, `_`, `-`; a letter or digit first. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,126}$/;

const CONTROL = /[\u0000-\u001f\u007f]/;

/** A value shown in an error: JSON, with DEL escaped too (JSON leaves it raw). */
const show = (value: string): string => JSON.stringify(value).replace(/\u007f/g, "\\u007f");

/** `value` as a Bacula quoted string; `what` names the field in the error. */
export function quote(value: string, what: string): string {
  const bad = CONTROL.exec(value);
  if (bad) throw new Error(`bacula: ${what}: expected no control characters, found ${show(bad[0])} in ${show(value)}`);
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** A resource name, checked and quoted. */
export function name(value: string, what: string): string {
  if (!NAME.test(value)) throw new Error(`bacula: ${what}: expected a name of 1 to 127 letters, digits, '.', '_' and '-' starting with a letter or digit, found ${JSON.stringify(value)}`);
  return quote(value, what);
}

/** Whether a string is a valid Bacula name by the toolkit's rule. */
export function isBaculaName(value: string): boolean {
  return NAME.test(value);
}

/** An absolute path (no `.` or `..` segments, no control characters), quoted. */
export function absolutePath(value: string, what: string): string {
  if (!value.startsWith("/") || value.split("/").some((s) => s === "." || s === "..")) {
    throw new Error(`bacula: ${what}: expected an absolute path without '.' or '..' segments, found ${JSON.stringify(value)}`);
  }
  return quote(value, what);
}

/** A password: any printable text, quoted (the random passwords the component makes are letters and digits). */
export function password(value: string, what: string): string {
  if (value.length < 16) throw new Error(`bacula: ${what}: expected a password of at least 16 characters, found ${value.length}`);
  return quote(value, what);
}

/** A directive line: `  Key = value` (value already quoted or a keyword/number the renderer chose). */
export function line(key: string, value: string | number, indent = "  "): string {
  return `${indent}${key} = ${value}`;
}

/** A resource block. */
export function resource(kind: string, lines: readonly string[], comment?: string): string {
  // A comment holds plan text (purposes, names): a line break in it would end the comment.
  if (comment !== undefined) quote(comment, `${kind} comment`);
  return `${comment ? `# ${comment}\n` : ""}${kind} {\n${lines.join("\n")}\n}\n`;
}

/** An IPv4 address, unquoted: Bacula's address blocks (`DirAddresses = { ip = { addr = ... } }`) refuse quotes. */
export function ipv4(value: string, what: string): string {
  const parts = value.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255)) {
    throw new Error(`bacula: ${what}: expected an IPv4 address, found ${JSON.stringify(value)}`);
  }
  return value;
}
