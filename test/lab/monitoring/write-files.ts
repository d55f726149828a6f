import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { MonitoringFile } from "../../../monitoring/plan/types";

// Writes rendered MonitoringFiles as a VM would get them: content, mode and owner as rendered (so nagios4 and
// nrpe, which drop root for the nagios user, read exactly what they could read on a VM). Every path must lie
// under the lab root: the renderers got paths from monitoringPathsUnder(root).

const ids = new Map<string, number>();
function idOf(kind: "user" | "group", name: string): number {
  const key = `${kind}:${name}`;
  const known = ids.get(key);
  if (known !== undefined) return known;
  let line: string;
  try {
    line = execFileSync("getent", [kind === "user" ? "passwd" : "group", name], { encoding: "utf8" });
  } catch {
    throw new Error(`the lab machine has no ${kind} ${name} (a rendered file's owner): apt-get install nagios4-core nagios-nrpe-server`);
  }
  const id = Number(line.split(":")[2]);
  ids.set(key, id);
  return id;
}

/** Creates `dir` (and its parents below `root`) 0755, owned by root unless `owner` is given. */
export function labDir(root: string, dir: string, owner?: string, mode = 0o755): void {
  if (!dir.startsWith(`${root}/`) && dir !== root) throw new Error(`${dir} is not under the lab root ${root}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  fs.chmodSync(dir, mode);
  if (owner) {
    const [u, g] = owner.split(":");
    fs.chownSync(dir, idOf("user", u), idOf("group", g ?? u));
  }
}

export function writeMonitoringFiles(root: string, files: readonly MonitoringFile[]): void {
  for (const f of files) {
    if (!f.path.startsWith(`${root}/`)) throw new Error(`rendered file ${f.path} is not under the lab root ${root}`);
    labDir(root, path.dirname(f.path));
    fs.writeFileSync(f.path, f.content, { mode: 0o600 });
    const [u, g] = f.owner.split(":");
    fs.chownSync(f.path, idOf("user", u), idOf("group", g ?? u));
    fs.chmodSync(f.path, parseInt(f.mode, 8));
  }
}
