// The monitoring matrix's input read from the rendered Nagios object files (hosts.cfg, services.cfg): the host
// and service objects with the custom variables every one of them carries (`_KIND`, `_TIER`, `_LAYER`). A
// reader of what the engine runs, not of the plan, so the picture shows the evidence.
import type { MatrixCheckInput, MatrixHostInput } from "./monitoring-matrix";

type NagiosObject = { type: string; fields: Map<string, string> };

/** Every `define <type> { key value }` block of a Nagios object file; `#` and `;` start comments. */
export function parseNagiosObjects(text: string): NagiosObject[] {
  const objects: NagiosObject[] = [];
  let current: NagiosObject | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/^\s*[#;].*$/, "").replace(/\s;.*$/, "").trim();
    if (!line) continue;
    const start = /^define\s+(\w+)\s*\{$/.exec(line);
    if (start) {
      current = { type: start[1], fields: new Map() };
      continue;
    }
    if (line === "}") {
      if (current) objects.push(current);
      current = undefined;
      continue;
    }
    if (!current) continue;
    const [, key, value = ""] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (key) current.fields.set(key, value.trim());
  }
  return objects;
}

/** The hosts and services of the object files, templates (`register 0`) left out. */
export function matrixInputsFromObjects(files: readonly { content: string }[]): { hosts: MatrixHostInput[]; checks: MatrixCheckInput[] } {
  const objects = files.flatMap((f) => parseNagiosObjects(f.content)).filter((o) => o.fields.get("register") !== "0");
  const hosts = objects.filter((o) => o.type === "host" && o.fields.has("host_name")).map((o): MatrixHostInput => {
    const tier = o.fields.get("_TIER");
    return { name: o.fields.get("host_name") ?? "", kind: o.fields.get("_KIND") ?? "unknown", ...(tier ? { tier } : {}) };
  });
  const checks = objects
    .filter((o) => o.type === "service" && o.fields.has("service_description"))
    .flatMap((o) => (o.fields.get("host_name") ?? "").split(",").map((h) => h.trim()).filter(Boolean).map((host): MatrixCheckInput => ({
      host,
      description: o.fields.get("service_description") ?? "",
      layer: o.fields.get("_LAYER") ?? "unknown",
    })));
  return { hosts, checks };
}
