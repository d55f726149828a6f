// A reader of haproxy.cfg as HAProxy itself splits it, for the policies: sections, and in each the lines as a
// keyword and its words. Only what the policies judge is interpreted (binds, servers, TLS options); the
// rest is kept as words. `haproxy -c` (the renderer's tests) remains the judge of what HAProxy accepts.

/** One line of a section: its words as HAProxy splits them (quotes and backslashes honoured, comments dropped). */
export interface HaproxyLine {
  words: string[];
  /** 1-based line number in the file, for a finding's location. */
  line: number;
}

export interface HaproxySection {
  /** `global`, `defaults`, `frontend`, `backend`, `listen`, ... */
  kind: string;
  /** The section's name (`frontend api_https`); empty for `global` and a nameless `defaults`. */
  name: string;
  line: number;
  lines: HaproxyLine[];
}

const SECTION_KINDS = new Set(["global", "defaults", "frontend", "backend", "listen", "resolvers", "peers", "userlist", "mailers", "program", "http-errors", "ring", "cache"]);

/** The words of one line, or none for a blank or comment line. */
export function splitHaproxyLine(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (c === "#") {
      break;
    } else if (c === " " || c === "\t") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** The file's sections in order; lines before the first section are ignored (HAProxy rejects them). */
export function parseHaproxyConfig(text: string): HaproxySection[] {
  const sections: HaproxySection[] = [];
  text.split("\n").forEach((raw, i) => {
    const words = splitHaproxyLine(raw);
    if (!words.length) return;
    if (SECTION_KINDS.has(words[0])) {
      sections.push({ kind: words[0], name: words[1] ?? "", line: i + 1, lines: [] });
      return;
    }
    sections[sections.length - 1]?.lines.push({ words, line: i + 1 });
  });
  return sections;
}

/** The lines of a section that start with `keyword` (one or more words, e.g. `option redispatch`). */
export function linesStartingWith(section: HaproxySection, ...keyword: string[]): HaproxyLine[] {
  return section.lines.filter((l) => keyword.every((w, i) => l.words[i] === w));
}

/** The value after `option` on a bind or server line (`verify required` -> "required"), or whether a flag is there. */
export function optionValue(words: readonly string[], option: string): string | undefined {
  const i = words.indexOf(option);
  return i >= 0 ? (words[i + 1] ?? "") : undefined;
}

export function hasFlag(words: readonly string[], flag: string): boolean {
  return words.includes(flag);
}

/** A `bind` line: where it listens and its options. */
export interface HaproxyBind {
  section: HaproxySection;
  address: string;
  words: string[];
  line: number;
}

export function bindsOf(section: HaproxySection): HaproxyBind[] {
  return linesStartingWith(section, "bind").map((l) => ({ section, address: l.words[1] ?? "", words: l.words.slice(2), line: l.line }));
}

/** A `server` line with the `default-server` options of its section before it (HAProxy applies them first). */
export interface HaproxyServer {
  section: HaproxySection;
  name: string;
  address: string;
  /** The default-server options followed by the server's own: the last of a repeated option wins. */
  words: string[];
  line: number;
}

export function serversOf(section: HaproxySection): HaproxyServer[] {
  const servers: HaproxyServer[] = [];
  let defaults: string[] = [];
  for (const l of section.lines) {
    if (l.words[0] === "default-server") defaults = l.words.slice(1);
    if (l.words[0] === "server") servers.push({ section, name: l.words[1] ?? "", address: l.words[2] ?? "", words: [...defaults, ...l.words.slice(3)], line: l.line });
  }
  return servers;
}

/** The last value of an option among words where it may repeat (default-server, then server). */
export function lastOptionValue(words: readonly string[], option: string): string | undefined {
  const i = words.lastIndexOf(option);
  return i >= 0 ? (words[i + 1] ?? "") : undefined;
}

/** The one `global` section's lines starting with `keyword`, e.g. `ssl-default-bind-ciphers`. */
export function globalSetting(sections: readonly HaproxySection[], keyword: string): HaproxyLine | undefined {
  const global = sections.find((s) => s.kind === "global");
  const found = global ? linesStartingWith(global, keyword) : [];
  return found[found.length - 1];
}
