// One way into a Nagios object file for every value. Nagios reads a directive as `name value` up to the end of
// the line, with `;` starting a comment: a line break would start a new directive, a `;` would cut the value
// short. Names (host_name, service_description, command_name, ...) are held to Nagios's
// illegal_object_name_chars as well, and a value that ends up in a command line ($ARGn$) to a strict pattern,
// because Nagios hands a command line with shell characters to /bin/sh.

import { UNSAFE_CHARACTER } from "../../components/input/printable";

/** The main config's illegal_object_name_chars (Debian's default): names holding one are refused by Nagios. */
export const ILLEGAL_OBJECT_NAME_CHARS = "`~!$%^&*|'\"<>?,()=";

/** The main config's illegal_macro_output_chars: plugin output never reaches a shell with one of these. */
export const ILLEGAL_MACRO_OUTPUT_CHARS = "`~$&|'\"<>";

/** A value shown in an error: JSON, so a control character is spelt out rather than printed. */
export const show = (value: string): string => JSON.stringify(value).replace(/\u007f/g, "\\u007f");

/** An object directive's value: one line, no `;`, no leading or trailing blanks (Nagios strips them). */
export function objectValue(value: string, what: string): string {
  const bad = UNSAFE_CHARACTER.exec(value);
  if (bad) throw new Error(`nagios: ${what}: expected no line breaks or control characters, found ${show(bad[0])} in ${show(value)}`);
  if (value.includes(";")) throw new Error(`nagios: ${what}: expected no ';' (it starts a comment), found ${show(value)}`);
  if (value.trim() !== value || value === "") throw new Error(`nagios: ${what}: expected a value without leading or trailing blanks, found ${show(value)}`);
  return value;
}

/** An object name: a value without any of illegal_object_name_chars. */
export function objectName(value: string, what: string): string {
  objectValue(value, what);
  const illegal = [...value].find((c) => ILLEGAL_OBJECT_NAME_CHARS.includes(c));
  if (illegal !== undefined) throw new Error(`nagios: ${what}: expected a name without any of ${ILLEGAL_OBJECT_NAME_CHARS}, found ${show(illegal)} in ${show(value)}`);
  return value;
}

/**
 * A value that becomes a plugin argument ($ARGn$, or written into a command line): only the characters the
 * pattern allows, so neither Nagios (`!`, `$`) nor /bin/sh (quotes, `;`, `|`, ...) reads anything into it.
 */
export function commandArgument(value: string, pattern: RegExp, expected: string, what: string): string {
  objectValue(value, what);
  if (!pattern.test(value)) throw new Error(`nagios: ${what}: expected ${expected}, found ${show(value)}`);
  return value;
}

/** A DNS name (the TLS name a check verifies) or an IPv4 address. */
export const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
export const HOST_NAME_EXPECTED = "a DNS name or an IPv4 address";

/** A path on the toolkit's machines: absolute, no blanks, quotes or shell characters. */
export const FILE_PATH = /^(\/[A-Za-z0-9._+-]+)+\/?$/;
export const FILE_PATH_EXPECTED = "an absolute path of letters, digits, '.', '_', '+' and '-'";

export function filePath(value: string, what: string): string {
  commandArgument(value, FILE_PATH, FILE_PATH_EXPECTED, what);
  if (value.split("/").some((s) => s === "." || s === "..")) throw new Error(`nagios: ${what}: expected no '.' or '..' segments, found ${show(value)}`);
  return value;
}

export function port(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error(`nagios: ${what}: expected a port 1 to 65535, found ${value}`);
  return value;
}

export function positiveInteger(value: number, what: string, min = 1): number {
  if (!Number.isInteger(value) || value < min) throw new Error(`nagios: ${what}: expected a whole number of at least ${min}, found ${value}`);
  return value;
}

/** A directive line's value: a string checked by `objectValue`, or a number. */
export type DirectiveValue = string | number;

/**
 * One `define TYPE { ... }` block. Values are checked here once more, so no renderer can hand an unchecked
 * string to the file; entries whose value is undefined are left out.
 */
export function defineObject(type: string, entries: readonly (readonly [string, DirectiveValue | undefined])[]): string {
  const lines = entries
    .filter((e): e is readonly [string, DirectiveValue] => e[1] !== undefined)
    .map(([key, value]) => {
      if (!/^_?[a-z][a-z0-9_]*$/i.test(key)) throw new Error(`nagios: ${type}: expected a directive name, found ${show(key)}`);
      const text = typeof value === "number" ? String(value) : objectValue(value, `${type} ${key}`);
      return `    ${key.padEnd(30)} ${text}`;
    });
  return `define ${type} {\n${lines.join("\n")}\n}\n`;
}

/** A whole object file: a header saying where it comes from, then the blocks. */
export function objectFile(what: string, blocks: readonly string[]): string {
  return [`# ${what}`, "# Rendered by ibac from the monitoring plan: edits are overwritten.", "", blocks.join("\n")].join("\n");
}
