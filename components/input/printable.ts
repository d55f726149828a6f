// Text from an input file reaches the terminal in error messages, and from the spec firewall comments and
// configuration files: these are the characters that must never get there as themselves.

/** C0 controls (line breaks and ESC included), DEL, C1 controls (CSI), line and paragraph separators, bidi overrides and isolates. */
export const UNSAFE_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
const UNSAFE_CHARACTERS = new RegExp(UNSAFE_CHARACTER.source, "gu");

/** `\u{1b}` for ESC: the code point spelt out, so a message shows the character rather than obeying it. */
export function printable(text: string): string {
  return text.replace(UNSAFE_CHARACTERS, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`);
}
