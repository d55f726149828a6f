import type { DeliveredFile } from "../kit/rendered-files";

/** A section of swanctl.conf(5): its key/value settings and its subsections, in file order. */
export interface SwanctlSection {
  values: Map<string, string>;
  sections: Map<string, SwanctlSection>;
}

function emptySection(): SwanctlSection {
  return { values: new Map(), sections: new Map() };
}

/**
 * Parses swanctl.conf syntax (strongSwan's settings format): `name { ... }` sections, `key = value` lines,
 * `#` comments. `include` lines are skipped (each delivered file is read on its own). Throws on unbalanced
 * braces, which swanctl would reject too.
 */
export function parseSwanctl(text: string): SwanctlSection {
  const root = emptySection();
  const stack: SwanctlSection[] = [root];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, "").trim();
    if (!line || /^include\s/.test(line)) continue;
    const open = /^([A-Za-z0-9_.%*-]+)\s*\{$/.exec(line);
    if (open) {
      const parent = stack[stack.length - 1];
      const section = parent.sections.get(open[1]) ?? emptySection();
      parent.sections.set(open[1], section);
      stack.push(section);
      continue;
    }
    if (line === "}") {
      if (stack.length === 1) throw new Error("swanctl: '}' without an open section");
      stack.pop();
      continue;
    }
    const eq = line.indexOf("=");
    if (eq < 0) throw new Error(`swanctl: cannot read the line "${line}"`);
    stack[stack.length - 1].values.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1"));
  }
  if (stack.length !== 1) throw new Error("swanctl: a section is not closed");
  return root;
}

/** Whether a delivered file is read by swanctl (`swanctl.conf` and its `conf.d/*.conf`). */
export function isSwanctlConf(path: string): boolean {
  return /^\/etc\/swanctl\/(swanctl\.conf|conf\.d\/[^/]+\.conf)$/.test(path);
}

/** One IKE connection of a delivered swanctl file. */
export interface SwanctlConnection {
  file: DeliveredFile;
  name: string;
  section: SwanctlSection;
}

/** The connections of every swanctl file delivered (files swanctl cannot parse are returned as errors). */
export function swanctlConnections(files: readonly DeliveredFile[]): { connections: SwanctlConnection[]; unreadable: { file: DeliveredFile; error: string }[] } {
  const connections: SwanctlConnection[] = [];
  const unreadable: { file: DeliveredFile; error: string }[] = [];
  for (const file of files.filter((f) => isSwanctlConf(f.path))) {
    try {
      const root = parseSwanctl(file.content);
      for (const [name, section] of root.sections.get("connections")?.sections ?? []) connections.push({ file, name, section });
    } catch (e) {
      unreadable.push({ file, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return { connections, unreadable };
}

/** The `local*` or `remote*` authentication rounds of a connection. */
export function authRounds(connection: SwanctlSection, side: "local" | "remote"): [string, SwanctlSection][] {
  return [...connection.sections].filter(([name]) => name === side || (name.startsWith(side) && /^[0-9_-]/.test(name.slice(side.length))));
}

/** The CHILD_SAs of a connection. */
export function children(connection: SwanctlSection): [string, SwanctlSection][] {
  return [...(connection.sections.get("children")?.sections ?? [])];
}
