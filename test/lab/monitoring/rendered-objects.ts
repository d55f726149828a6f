import * as fs from "node:fs";
import * as path from "node:path";

// The rendered object files read back (`define TYPE { key value }` blocks), so a test states what it expects
// from the objects the engine runs, not from a copy of the renderer's rules.

export interface NagiosObject {
  type: string;
  fields: Record<string, string>;
}

export function readObjects(objectsDir: string, file: string): NagiosObject[] {
  const text = fs.readFileSync(path.join(objectsDir, file), "utf8");
  const out: NagiosObject[] = [];
  let current: NagiosObject | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/^\s+|\s+$/g, "");
    const open = /^define ([a-z]+)\s*\{$/.exec(line);
    if (open) current = { type: open[1], fields: {} };
    else if (line === "}" && current) {
      out.push(current);
      current = undefined;
    } else if (current && line && !line.startsWith("#") && !line.startsWith(";")) {
      const m = /^(\S+)\s+(.*)$/.exec(line);
      if (m) current.fields[m[1]] = m[2];
    }
  }
  return out;
}

/** The services a dependency holds back while another service of the host fails: `host/description`. */
export function dependentServices(objectsDir: string): string[] {
  return readObjects(objectsDir, "dependencies.cfg")
    .filter((o) => o.type === "servicedependency" && /c/.test(o.fields.notification_failure_criteria ?? ""))
    .map((o) => `${o.fields.dependent_host_name}/${o.fields.dependent_service_description}`);
}
