// Free text from an input file (the spec, waivers) ends up in firewall comments, configuration files, e-mail headers and the
// terminal: it must be one line of printable characters. Line breaks would start a new directive, control
// characters and ANSI escapes (ESC, CSI) would rewrite what an operator sees.

import { UNSAFE_CHARACTER as UNSAFE } from "./printable";

/** How a found character is named in a message: U+000A (line feed). */
function describeCharacter(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  const names: Record<number, string> = { 0x0a: "line feed", 0x0d: "carriage return", 0x09: "tab", 0x1b: "escape, as in a terminal escape sequence", 0x00: "NUL", 0x7f: "delete", 0x9b: "CSI, a terminal escape", 0x2028: "line separator", 0x2029: "paragraph separator" };
  const name = names[code] ?? (code >= 0x202a ? "bidirectional override" : "control character");
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")} (${name})`;
}

/** The problem of a text with a line break or control character, or undefined. */
export function unsafeTextProblem(text: string): string | undefined {
  const hit = UNSAFE.exec(text);
  if (!hit) return undefined;
  return `expected one line of printable text, found ${describeCharacter(hit[0])} at character ${hit.index + 1}`;
}

/**
 * Every string of a document (the spec: purposes, flow endpoints, key comments, names, addresses), each
 * unsafe one named by its field path. A walk rather than a list of fields, so a field added later is covered.
 */
export function unsafeTextProblems(
  value: unknown,
  path: (string | number)[] = [],
  isPemField: (path: readonly (string | number)[]) => boolean = () => false,
): { path: (string | number)[]; detail: string }[] {
  if (typeof value === "string") {
    const detail = isPemField(path) ? unsafePemProblem(value) : unsafeTextProblem(value);
    return detail ? [{ path, detail }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => unsafeTextProblems(item, [...path, i], isPemField));
  if (typeof value === "object" && value !== null) return Object.entries(value).flatMap(([k, v]) => unsafeTextProblems(v, [...path, k], isPemField));
  return [];
}

/**
 * A PEM block (a certificate pasted as a YAML block scalar) is the one kind of text that spans lines: line
 * feeds between printable lines are allowed, nothing else that `unsafeTextProblem` refuses. The schema's
 * pattern then holds it to base64 lines between the BEGIN and END markers.
 */
export function unsafePemProblem(text: string): string | undefined {
  for (const line of text.split("\n")) {
    const problem = unsafeTextProblem(line);
    if (problem) return problem.replace("expected one line of printable text", "expected a PEM block: lines of printable text");
  }
  return undefined;
}
