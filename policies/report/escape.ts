// Escaping for every string that comes from data (requirements, findings, waivers, the model): the report must
// show a finding that contains markup as text, never run it.

const HTML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text for HTML or SVG element content and for quoted attribute values. */
export function escapeHtml(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]);
}

/** An `id` attribute (and its `#` link) made from data: only letters, digits, `-` and `_` survive. */
export function anchorId(prefix: string, text: string): string {
  return `${prefix}-${text.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}

/**
 * Text for GitHub-flavoured Markdown, inline and in table cells: HTML markup becomes entities (GFM passes raw
 * HTML through), the punctuation that could start emphasis, code, a link or a table cell is backslash-escaped,
 * line breaks become spaces (a table row is one line). Data never starts a line, so `#`, `+` and `1.` are safe.
 */
export function escapeMarkdown(text: string | number): string {
  return String(text)
    .replace(/\r?\n/g, " ")
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/[&<>]/g, (c) => HTML_ENTITIES[c]);
}

/** GitHub's heading anchor for a heading made only of letters, digits, spaces, `-` and `.`. */
export function markdownSlug(heading: string): string {
  return heading.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-");
}
