// A reader for Bacula's configuration syntax (bacula-dir.conf, bacula-sd.conf, bacula-fd.conf), as Bacula 9.6's
// lexer reads it (src/lib/lex.c, parse_conf.c): resources `Type { Key = value; ... }`, nested blocks (a FileSet's
// Include/Exclude/Options), `#` comments, `;` or a line end ending a directive, quoted strings with backslash
// escapes, and keys compared without case and without spaces ("Volume Retention" is "volumeretention").
// It keeps what the policies judge; it validates nothing Bacula itself would (the renderers' tests run
// `bacula-dir -t` for that), and it refuses what it cannot read faithfully rather than guess. It is more lenient
// than Bacula in one place: a `}` ends any value here, where Bacula ends a Run line or a time period only at the
// line's end (and rejects or swallows the brace); rendered files put every brace on its own line.

/** One `Key = value` directive. */
export interface BaculaDirective {
  /** The key as Bacula compares it: lower case, spaces removed (`volumeretention`). */
  key: string;
  /** The key as written (`Volume Retention`), for messages. */
  rawKey: string;
  /** The value: unquoted when it is one quoted string, else the text as written (trimmed, quotes kept). */
  value: string;
  /** 1-based line of the key. */
  line: number;
}

/** A resource (`Job { ... }`) or a nested block (`Include { ... }`). */
export interface BaculaResource {
  /** The type as Bacula compares it (`fileset`, `include`, `options`). */
  type: string;
  /** The type as written (`FileSet`). */
  rawType: string;
  directives: BaculaDirective[];
  blocks: BaculaResource[];
  line: number;
}

/** A configuration this reader cannot read (unbalanced braces, an `@include`, a key without `=`). */
export class BaculaConfigError extends Error {
  constructor(readonly line: number, detail: string) {
    super(`line ${line}: ${detail}`);
    this.name = "BaculaConfigError";
  }
}

/** Bacula's comparison form of a key or resource type: case and spaces ignored. */
export function baculaKey(key: string): string {
  return key.replace(/\s+/g, "").toLowerCase();
}

/** Characters that may appear in a key or resource type (Bacula's identifiers), spaces aside. */
const KEY_CHAR = /[A-Za-z0-9_.-]/;

class Cursor {
  pos = 0;
  line = 1;
  constructor(readonly text: string) {}
  get done(): boolean {
    return this.pos >= this.text.length;
  }
  peek(): string {
    return this.text[this.pos] ?? "";
  }
  next(): string {
    const c = this.text[this.pos++] ?? "";
    if (c === "\n") this.line++;
    return c;
  }
  /** Skips spaces, line ends, `;` and comments between directives. */
  skipSeparators(): void {
    for (;;) {
      const c = this.peek();
      if (c === "#") while (!this.done && this.peek() !== "\n") this.next();
      else if (c === ";" || /\s/.test(c)) this.next();
      else return;
    }
  }
}

/** A quoted string from its opening quote: the text between the quotes, escapes resolved. */
function readQuoted(cur: Cursor): string {
  const start = cur.line;
  cur.next();
  let out = "";
  for (;;) {
    if (cur.done) throw new BaculaConfigError(start, "unterminated quoted string");
    const c = cur.next();
    if (c === '"') return out;
    if (c === "\\") out += cur.next();
    else out += c;
  }
}

/**
 * A directive's value: up to the line end, a `;`, a `}` or a comment outside quotes. One quoted string alone
 * is returned unquoted; anything else as written, so a `Run` line or `mail = a@b = all, !skipped` stays whole.
 */
function readValue(cur: Cursor): string {
  let raw = "";
  const parts: { quoted: boolean; text: string }[] = [];
  for (;;) {
    const c = cur.peek();
    if (cur.done || c === "\n" || c === ";" || c === "}" || c === "#") break;
    if (c === '"') {
      const text = readQuoted(cur);
      raw += JSON.stringify(text);
      parts.push({ quoted: true, text });
      continue;
    }
    raw += cur.next();
    if (/\S/.test(c)) parts.push({ quoted: false, text: c });
  }
  const quoted = parts.filter((p) => p.quoted);
  if (quoted.length === 1 && parts.length === 1) return quoted[0].text;
  return raw.trim();
}

/** A key or a resource type, spaces inside it kept as written (Bacula ignores them). */
function readKey(cur: Cursor): string {
  let key = "";
  while (!cur.done && (KEY_CHAR.test(cur.peek()) || cur.peek() === " " || cur.peek() === "\t")) key += cur.next();
  return key.trim();
}

function readBlockBody(cur: Cursor, block: BaculaResource, nested: boolean): void {
  for (;;) {
    cur.skipSeparators();
    if (cur.done) {
      if (nested) throw new BaculaConfigError(block.line, `${block.rawType} { ... } is not closed`);
      return;
    }
    const c = cur.peek();
    if (c === "}") {
      if (!nested) throw new BaculaConfigError(cur.line, "} without a resource to close");
      cur.next();
      return;
    }
    if (c === "@") throw new BaculaConfigError(cur.line, "@ includes another file, which this reader does not follow");
    const line = cur.line;
    const rawKey = readKey(cur);
    if (!rawKey) throw new BaculaConfigError(line, `unexpected ${JSON.stringify(c)}`);
    // Bacula lets a resource's brace follow on the next line.
    while (!cur.done && /\s/.test(cur.peek())) cur.next();
    const after = cur.peek();
    if (after === "=") {
      cur.next();
      while (cur.peek() === " " || cur.peek() === "\t") cur.next();
      if (cur.peek() === "{") {
        cur.next();
        block.blocks.push(readNested(cur, rawKey, line));
      } else {
        block.directives.push({ key: baculaKey(rawKey), rawKey, value: readValue(cur), line });
      }
    } else if (after === "{") {
      cur.next();
      block.blocks.push(readNested(cur, rawKey, line));
    } else {
      throw new BaculaConfigError(line, `${rawKey}: expected = or {`);
    }
  }
}

function readNested(cur: Cursor, rawType: string, line: number): BaculaResource {
  const block: BaculaResource = { type: baculaKey(rawType), rawType, directives: [], blocks: [], line };
  readBlockBody(cur, block, true);
  return block;
}

/** Reads a Bacula configuration file's text into its resources, in order. Throws BaculaConfigError. */
export function parseBaculaConfig(text: string): BaculaResource[] {
  const top: BaculaResource = { type: "", rawType: "", directives: [], blocks: [], line: 1 };
  const cur = new Cursor(text);
  readBlockBody(cur, top, false);
  if (top.directives.length) throw new BaculaConfigError(top.directives[0].line, `${top.directives[0].rawKey} outside any resource`);
  return top.blocks;
}

/** The resources (or nested blocks) of a type, e.g. `resourcesOf(conf, "Job")`. */
export function resourcesOf(resources: readonly BaculaResource[], type: string): BaculaResource[] {
  const wanted = baculaKey(type);
  return resources.filter((r) => r.type === wanted);
}

/** Every value of a key in a resource, in order (`Run` and `File` repeat). */
export function directiveValues(resource: BaculaResource, key: string): string[] {
  const wanted = baculaKey(key);
  return resource.directives.filter((d) => d.key === wanted).map((d) => d.value);
}

/** The directive of a key (the last, as a repeated single-valued key would be read), or undefined. */
export function directive(resource: BaculaResource, key: string): BaculaDirective | undefined {
  const wanted = baculaKey(key);
  return resource.directives.filter((d) => d.key === wanted).at(-1);
}

/** The value of a key, or undefined. */
export function directiveValue(resource: BaculaResource, key: string): string | undefined {
  return directive(resource, key)?.value;
}

/** A resource's `Name`. */
export function resourceName(resource: BaculaResource): string | undefined {
  return directiveValue(resource, "Name");
}

/** The resource of a type with a name (Bacula names are case-sensitive). */
export function findResource(resources: readonly BaculaResource[], type: string, name: string): BaculaResource | undefined {
  return resourcesOf(resources, type).find((r) => resourceName(r) === name);
}

/** Bacula's yes/no (store_bool: yes/true/no/false, any case), or undefined for anything else. */
export function baculaBool(value: string | undefined): boolean | undefined {
  const v = value?.toLowerCase();
  if (v === "yes" || v === "true") return true;
  if (v === "no" || v === "false") return false;
  return undefined;
}

// Bacula's duration modifiers (lib/edit.c duration_to_utime), matched as a prefix in this order: `m` is months,
// `mi`/`min` minutes, `n` minutes, no modifier seconds.
const DURATION_UNITS: readonly [string, number][] = [
  ["n", 60],
  ["seconds", 1],
  ["months", 30 * 86_400],
  ["minutes", 60],
  ["mins", 60],
  ["hours", 3_600],
  ["days", 86_400],
  ["weeks", 7 * 86_400],
  ["quarters", 91 * 86_400],
  ["years", 365 * 86_400],
];

/**
 * A Bacula time period (`183 days 6 hours`, `6 months`, `1.5 h`, `90`: seconds) in seconds, or undefined when
 * it is not one (Bacula refuses a quoted period: so does this).
 */
export function baculaDurationSeconds(value: string | undefined): number | undefined {
  if (value === undefined || /["']/.test(value)) return undefined;
  const text = value.replace(/\s+/g, "");
  if (!text) return undefined;
  let seconds = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)([A-Za-z]*)|(.)/g)) {
    if (m[3] !== undefined) return undefined;
    const unit = m[2].toLowerCase();
    const factor = unit === "" ? 1 : DURATION_UNITS.find(([name]) => name.startsWith(unit))?.[1];
    if (factor === undefined) return undefined;
    seconds += Number(m[1]) * factor;
  }
  return seconds;
}
