import type { DeliveredFile } from "../kit/rendered-files";

/** One `option = value` line of a MariaDB option file, with where it was found. */
export interface OptionSetting {
  /** The option group, lower-case (`mysqld`, `client`, ...). */
  group: string;
  /** Normalised name: lower-case, `-` as `_`, a `loose_` prefix dropped. */
  name: string;
  /** The value as written (quotes removed); "" for a bare flag. */
  value: string;
  /** The file that holds the line and the resource that delivers it. */
  path: string;
  urn: string;
}

/** The groups `mariadbd` reads (Debian's MariaDB, any version suffix). */
const SERVER_GROUP = /^(mysqld|server|mariadb|mariadbd|client-server)(-[0-9.]+)?$/;

/** Whether `mariadbd` reads this option group. */
export function isServerGroup(group: string): boolean {
  return SERVER_GROUP.test(group);
}

/** The directories Debian's `/etc/mysql/mariadb.cnf` includes, in the order it includes them. */
export const MARIADB_INCLUDE_DIRS = ["/etc/mysql/conf.d/", "/etc/mysql/mariadb.conf.d/"] as const;

/** A delivered file that MariaDB or one of its clients reads as an option file. */
export function isMariadbOptionFile(path: string): boolean {
  return path.startsWith("/etc/mysql/") && path.endsWith(".cnf");
}

/** Option names treat `-` and `_` alike; `loose-` only silences unknown-option errors. */
export function normaliseOptionName(name: string): string {
  return name.trim().toLowerCase().replace(/-/g, "_").replace(/^loose_/, "");
}

function unquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) return v.slice(1, -1);
  return v;
}

/** A value with a trailing `# comment` removed (outside quotes). */
function stripComment(value: string): string {
  let quote: string | undefined;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === "#") {
      return value.slice(0, i);
    }
  }
  return value;
}

type Line = { kind: "setting"; setting: OptionSetting } | { kind: "include"; path: string };

function parseLines(file: Pick<DeliveredFile, "path" | "urn" | "content">): Line[] {
  const lines: Line[] = [];
  let group = "";
  for (const raw of file.content.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const include = /^!include\s+(\S+)$/.exec(line);
    if (include) {
      lines.push({ kind: "include", path: include[1] });
      continue;
    }
    if (line.startsWith("!")) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      group = header[1].trim().toLowerCase();
      continue;
    }
    const eq = line.indexOf("=");
    const name = normaliseOptionName(eq < 0 ? stripComment(line) : line.slice(0, eq));
    const value = eq < 0 ? "" : unquote(stripComment(line.slice(eq + 1)));
    lines.push({ kind: "setting", setting: { group, name, value, path: file.path, urn: file.urn } });
  }
  return lines;
}

/** Every setting of one option file, in file order (includes are not followed). */
export function parseOptionFile(file: Pick<DeliveredFile, "path" | "urn" | "content">): OptionSetting[] {
  return parseLines(file).flatMap((l) => (l.kind === "setting" ? [l.setting] : []));
}

/**
 * The settings `mariadbd` reads from the files delivered to one VM, in the order it reads them: the
 * include directories in Debian's order, each directory's `*.cnf` sorted, `!include` expanded in place.
 * Only server groups; a later setting of an option overrides an earlier one.
 */
export function serverSettings(vmFiles: readonly DeliveredFile[]): OptionSetting[] {
  const byPath = new Map(vmFiles.map((f) => [f.path, f]));
  const out: OptionSetting[] = [];
  const read = (file: DeliveredFile, depth: number): void => {
    for (const line of parseLines(file)) {
      if (line.kind === "setting") {
        if (isServerGroup(line.setting.group)) out.push(line.setting);
      } else {
        const included = byPath.get(line.path);
        if (included && depth < 8) read(included, depth + 1);
      }
    }
  };
  for (const dir of MARIADB_INCLUDE_DIRS) {
    const inDir = vmFiles
      .filter((f) => f.path.startsWith(dir) && !f.path.slice(dir.length).includes("/") && f.path.endsWith(".cnf"))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    for (const f of inDir) read(f, 0);
  }
  return out;
}

/** Whether the server reads any option file at all on this VM (it is a MariaDB server the stack configures). */
export function hasServerConfig(vmFiles: readonly DeliveredFile[]): boolean {
  return serverSettings(vmFiles).length > 0;
}

/** A boolean option's value as MariaDB reads it, or undefined when it is not a boolean. */
export function booleanValue(value: string): boolean | undefined {
  const v = value.trim().toLowerCase();
  if (v === "" || v === "on" || v === "1" || v === "true") return true;
  if (v === "off" || v === "0" || v === "false") return false;
  return undefined;
}

/** The effective setting of a boolean option: the last of `name`, `enable_name`, `skip_name`, `disable_name`. */
export function effectiveBoolean(settings: readonly OptionSetting[], name: string): { on: boolean | undefined; setting: OptionSetting } | undefined {
  for (let i = settings.length - 1; i >= 0; i--) {
    const s = settings[i];
    if (s.name === name) return { on: booleanValue(s.value), setting: s };
    if (s.name === `enable_${name}`) return { on: true, setting: s };
    if (s.name === `skip_${name}` || s.name === `disable_${name}`) return { on: false, setting: s };
  }
  return undefined;
}

/** The effective setting of a valued option (the last one read). */
export function effectiveValue(settings: readonly OptionSetting[], name: string): OptionSetting | undefined {
  for (let i = settings.length - 1; i >= 0; i--) if (settings[i].name === name) return settings[i];
  return undefined;
}

/** The delivered files grouped by VM name. */
export function filesByVm(files: readonly DeliveredFile[]): Map<string, DeliveredFile[]> {
  const byVm = new Map<string, DeliveredFile[]>();
  for (const f of files) {
    const list = byVm.get(f.vm) ?? [];
    list.push(f);
    byVm.set(f.vm, list);
  }
  return byVm;
}
