// Readers of the monitoring's line-based files: nagios.cfg and NRPE's nrpe.cfg drop-in (`key=value`, `#`
// comments, keys that may repeat such as cfg_dir or command[name]) and msmtp's msmtprc (`key value`, `defaults`
// and `account` sections). Like the object reader, each refuses a line it cannot read rather than guess.

/** A `key=value` or `key value` line. */
export interface ConfigLine {
  key: string;
  value: string;
  line: number;
}

/** A line-based file this reader cannot read. */
export class LineConfigError extends Error {
  constructor(readonly file: string, readonly line: number, detail: string) {
    super(`${file}${line > 0 ? ` line ${line}` : ""}: ${detail}`);
    this.name = "LineConfigError";
  }
}

/** The significant lines of a text: blank lines and `#` comment lines dropped, with their line numbers. */
function significant(text: string): { text: string; line: number }[] {
  return text.split("\n").flatMap((raw, i) => {
    const t = raw.trim();
    return t && !t.startsWith("#") ? [{ text: t, line: i + 1 }] : [];
  });
}

/**
 * `key=value` lines as nagios.cfg and nrpe.cfg have them (both programs read only whole-line `#` comments and
 * split at the first `=`). A line without `=` is refused.
 */
export function parseKeyEqualsValue(text: string, file = "(text)"): ConfigLine[] {
  return significant(text).map(({ text: t, line }) => {
    const at = t.indexOf("=");
    if (at <= 0) throw new LineConfigError(file, line, `"${t}" is not a key=value line`);
    return { key: t.slice(0, at).trim(), value: t.slice(at + 1).trim(), line };
  });
}

/** The last value of a key (the one both programs keep when it repeats), or undefined. */
export function lastValue(lines: readonly ConfigLine[], key: string): ConfigLine | undefined {
  return lines.filter((l) => l.key === key).pop();
}

/** Every value of a repeatable key (cfg_dir, cfg_file), in order. */
export function allValues(lines: readonly ConfigLine[], key: string): string[] {
  return lines.filter((l) => l.key === key).map((l) => l.value);
}

/** The settings of the msmtp account a command uses: the `defaults` before it, then its own lines. */
export interface MsmtpAccount {
  name: string;
  settings: ReadonlyMap<string, ConfigLine>;
}

/**
 * The account msmtp uses without `-a` (`account default`, else the first account), its settings resolved as
 * msmtp does: each `defaults` section applies to the accounts after it, an account's own lines win, and
 * `account default : name` aliases another account. A file without an account is refused: msmtp sends nothing.
 */
export function msmtpDefaultAccount(text: string, file = "(text)"): MsmtpAccount {
  const accounts = new Map<string, Map<string, ConfigLine>>();
  let defaults = new Map<string, ConfigLine>();
  let current: Map<string, ConfigLine> | undefined;
  let first: string | undefined;
  for (const { text: t, line } of significant(text)) {
    const m = /^(\S+)(?:\s+(.*))?$/.exec(t);
    const key = m?.[1] ?? "";
    const value = (m?.[2] ?? "").trim();
    if (key === "defaults") {
      current = undefined;
      defaults = new Map(defaults);
      continue;
    }
    if (key === "account") {
      const alias = /^(\S+)\s*:\s*(\S+)$/.exec(value);
      if (!value) throw new LineConfigError(file, line, "an account without a name");
      if (alias) {
        const base = accounts.get(alias[2]);
        if (!base) throw new LineConfigError(file, line, `account ${alias[1]} is based on ${alias[2]}, which is not defined above it`);
        current = new Map(base);
        accounts.set(alias[1], current);
      } else {
        current = new Map(defaults);
        accounts.set(value, current);
      }
      first ??= alias ? alias[1] : value;
      continue;
    }
    const entry = { key, value, line };
    if (current) current.set(key, entry);
    else defaults.set(key, entry);
  }
  const name = accounts.has("default") ? "default" : first;
  const settings = name === undefined ? undefined : accounts.get(name);
  if (name === undefined || !settings) throw new LineConfigError(file, 0, "no account: msmtp sends nothing with this file");
  return { name, settings };
}

/** msmtp's on/off (a bare key means on). */
export function msmtpOn(entry: ConfigLine | undefined): boolean | undefined {
  if (!entry) return undefined;
  return entry.value === "" || entry.value === "on" ? true : entry.value === "off" ? false : undefined;
}
