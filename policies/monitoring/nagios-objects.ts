// A reader of Nagios object files (what nagios4 and Shinken read from cfg_dir): `define <type> { key value }`
// blocks, as Nagios 4.4's xodtemplate.c reads them: a line whose first character (after spaces) is `#` or `;`
// is a comment, an unescaped `;` ends a value (`\;` is a literal one), `define <type>{` opens a definition and
// a `}` alone on its line closes it. It resolves what the policies ask through `use` templates (the first
// template that has a value wins; `null` cancels one, a leading `+` appends to the inherited one) and which
// hosts a service applies to (host_name, hostgroup_name, `*`, `!` exclusions). It refuses what it cannot read
// faithfully (include_file, include_dir, a directive outside a definition, a template no file defines) rather
// than guess; `nagios4 -v` (the renderers' tests) stays the judge of what Nagios accepts.

/** One definition (`define host { ... }`), its keys normalised: custom variables upper case, others lower. */
export interface NagiosObject {
  type: string;
  /** The directives as written in this definition (not inherited). */
  own: ReadonlyMap<string, string>;
  /** The file it comes from and the line of its `define`. */
  file: string;
  line: number;
}

/** Text this reader cannot read as Nagios objects: the file (when known), the line and what is wrong. */
export class NagiosObjectError extends Error {
  constructor(readonly file: string, readonly line: number, detail: string) {
    super(`${file}${line > 0 ? ` line ${line}` : ""}: ${detail}`);
    this.name = "NagiosObjectError";
  }
}

/** Nagios compares custom variables (`_LAYER`) without case; its own directives are lower case. */
export function nagiosKey(key: string): string {
  return key.startsWith("_") ? key.toUpperCase() : key.toLowerCase();
}

/** The line without its comment: an unescaped `;` ends it, `\;` stands for `;`. */
function stripComment(line: string): string {
  let out = "";
  for (let i = 0; i < line.length; i++) {
    if (line[i] === "\\" && line[i + 1] === ";") {
      out += ";";
      i++;
    } else if (line[i] === ";") break;
    else out += line[i];
  }
  return out.trim();
}

/** The definitions of one object file. */
export function parseNagiosObjects(text: string, file = "(text)"): NagiosObject[] {
  const objects: NagiosObject[] = [];
  let open: { type: string; own: Map<string, string>; line: number } | undefined;
  text.split("\n").forEach((raw, i) => {
    const lineNo = i + 1;
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith("#") || trimmed.startsWith(";")) return;
    const line = stripComment(trimmed);
    if (!line) return;
    if (open) {
      if (line === "}") {
        objects.push({ type: open.type, own: open.own, file, line: open.line });
        open = undefined;
        return;
      }
      if (/^define\b/.test(line)) throw new NagiosObjectError(file, lineNo, `a define inside the ${open.type} definition of line ${open.line} (missing "}")`);
      const m = /^(\S+)\s*(.*)$/.exec(line);
      const key = m?.[1] ?? "";
      if (key.includes("{") || key.includes("}")) throw new NagiosObjectError(file, lineNo, `"${line}" is not a directive (a "}" closes a definition alone on its line)`);
      open.own.set(nagiosKey(key), (m?.[2] ?? "").trim());
      return;
    }
    if (/^include_(file|dir)\b/.test(line)) throw new NagiosObjectError(file, lineNo, `${line.split(/[\s=]/)[0]} is not read by this policy: render every object into the cfg_dir`);
    const define = /^define\s+([A-Za-z]+)\s*\{$/.exec(line);
    if (!define) throw new NagiosObjectError(file, lineNo, `"${line}" outside a definition (expected "define <type> {")`);
    open = { type: define[1].toLowerCase(), own: new Map(), line: lineNo };
  });
  if (open) throw new NagiosObjectError(file, open.line, `the ${open.type} definition is not closed (missing "}")`);
  return objects;
}

/** The items of a Nagios list value (`a, b,c`), empty ones dropped. */
export function nagiosList(value: string | undefined): string[] {
  return (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);
}

/** The objects of one engine's configuration (every object file it reads), with inheritance resolved on demand. */
export class NagiosObjectSet {
  readonly objects: readonly NagiosObject[];
  private readonly templates = new Map<string, NagiosObject>();

  /** Throws a NagiosObjectError for a `use` of a template no file defines, or templates that use each other. */
  constructor(objects: readonly NagiosObject[]) {
    this.objects = objects;
    for (const o of objects) {
      const name = o.own.get("name");
      if (name !== undefined) this.templates.set(`${o.type}\0${name}`, o);
    }
    for (const o of objects) this.chain(o, []);
  }

  private chain(o: NagiosObject, seen: readonly NagiosObject[]): void {
    if (seen.includes(o)) throw new NagiosObjectError(o.file, o.line, `templates use each other: ${[...seen, o].map((t) => t.own.get("name") ?? t.type).join(" -> ")}`);
    for (const t of nagiosList(o.own.get("use"))) {
      const template = this.templates.get(`${o.type}\0${t}`);
      if (!template) throw new NagiosObjectError(o.file, o.line, `the ${o.type} uses template "${t}", which no object file defines`);
      this.chain(template, [...seen, o]);
    }
  }

  /** A directive's value with Nagios's inheritance; undefined when neither it nor a template sets it (or it is `null`). */
  value(o: NagiosObject, key: string): string | undefined {
    const k = nagiosKey(key);
    const own = o.own.get(k);
    if (own === "null") return undefined;
    if (own !== undefined && !own.startsWith("+")) return own;
    let inherited: string | undefined;
    for (const t of nagiosList(o.own.get("use"))) {
      const template = this.templates.get(`${o.type}\0${t}`);
      inherited = template ? this.value(template, k) : undefined;
      if (inherited !== undefined) break;
    }
    if (own === undefined) return inherited;
    return inherited === undefined ? own.slice(1) : `${inherited},${own.slice(1)}`;
  }

  // Indexes built on first use: a 64-node stack has thousands of objects, asked once per service.
  private readonly byType = new Map<string, NagiosObject[]>();
  private readonly byName = new Map<string, Map<string, NagiosObject>>();

  /** The registered definitions of a type (templates with `register 0` are not objects Nagios runs). */
  registered(type: string): NagiosObject[] {
    let list = this.byType.get(type);
    if (!list) {
      list = this.objects.filter((o) => o.type === type && o.own.get("register") !== "0");
      this.byType.set(type, list);
    }
    return list;
  }

  /** The registered object of a type whose `<type>_name` is `name` (command_name, contact_name, host_name...); the first one. */
  find(type: string, name: string): NagiosObject | undefined {
    let index = this.byName.get(type);
    if (!index) {
      index = new Map();
      for (const o of this.registered(type)) {
        const n = this.value(o, `${type}_name`);
        if (n !== undefined && !index.has(n)) index.set(n, o);
      }
      this.byName.set(type, index);
    }
    return index.get(name);
  }

  private names: string[] | undefined;

  /** Every registered host's host_name. */
  hostNames(): string[] {
    this.names ??= this.registered("host").map((h) => this.value(h, "host_name")).filter((n): n is string => n !== undefined);
    return this.names;
  }

  /** The hosts of a host group: its members, its nested groups' members, and every host that names the group. */
  hostgroupMembers(group: string, seen: ReadonlySet<string> = new Set()): Set<string> {
    const out = new Set<string>();
    if (seen.has(group)) return out;
    const def = this.find("hostgroup", group);
    if (def) {
      for (const h of nagiosList(this.value(def, "members"))) out.add(h);
      for (const g of nagiosList(this.value(def, "hostgroup_members"))) for (const h of this.hostgroupMembers(g, new Set([...seen, group]))) out.add(h);
    }
    for (const h of this.registered("host")) {
      const name = this.value(h, "host_name");
      if (name !== undefined && nagiosList(this.value(h, "hostgroups")).includes(group)) out.add(name);
    }
    return out;
  }

  /** The host names a service (or any object with host_name / hostgroup_name) applies to. */
  hostsOf(o: NagiosObject): Set<string> {
    const all = this.hostNames();
    const include = new Set<string>();
    const exclude = new Set<string>();
    for (const item of nagiosList(this.value(o, "host_name"))) {
      if (item === "*") all.forEach((h) => include.add(h));
      else if (item.startsWith("!")) exclude.add(item.slice(1));
      else include.add(item);
    }
    for (const item of nagiosList(this.value(o, "hostgroup_name"))) {
      const negated = item.startsWith("!");
      const group = negated ? item.slice(1) : item;
      const members = group === "*" ? new Set(all) : this.hostgroupMembers(group);
      members.forEach((h) => (negated ? exclude : include).add(h));
    }
    exclude.forEach((h) => include.delete(h));
    return include;
  }

  /** The command a `check_command` / `event_handler` value names (`name!arg1!arg2`), with its arguments. */
  command(value: string | undefined): { name: string; args: string[]; definition: NagiosObject | undefined } | undefined {
    if (value === undefined || !value.trim()) return undefined;
    const [name, ...args] = value.split("!");
    return { name: name.trim(), args, definition: this.find("command", name.trim()) };
  }

  /** The command line a `check_command`-like value runs: the command's line with `$ARGn$` replaced by its arguments. */
  commandLine(value: string | undefined): string | undefined {
    const c = this.command(value);
    const line = c?.definition ? this.value(c.definition, "command_line") : undefined;
    return line?.replace(/\$ARG(\d+)\$/g, (_, n: string) => c?.args[Number(n) - 1] ?? "");
  }
}
