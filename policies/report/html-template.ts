// A tagged template that escapes every interpolated value unless it is already markup (`Markup`), so a
// renderer cannot forget to escape a string from data.
import { escapeHtml } from "./escape";

export class Markup {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

/** Markup produced elsewhere (the SVG and matrix renderers escape their own data). */
export function trusted(htmlText: string): Markup {
  return new Markup(htmlText);
}

export type Interpolation = Markup | string | number | boolean | null | undefined | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value instanceof Markup) return value.html;
  if (Array.isArray(value)) return value.map(render).join("");
  if (value === undefined || value === null || value === false || value === true) return "";
  return escapeHtml(value as string | number);
}

/** `html\`<td>${text}</td>\``: text is escaped, nested `html` results and arrays of them are kept. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Markup {
  let out = strings[0];
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1];
  });
  return new Markup(out);
}

/** A CSS string literal (for `content:` in the page margins): everything but plain characters hex-escaped. */
export function cssString(text: string): string {
  return `"${text.replace(/[^A-Za-z0-9 .,:_-]/gu, (c) => `\\${c.codePointAt(0)!.toString(16)} `)}"`;
}
