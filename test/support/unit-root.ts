// For tests of rendered systemd units: a throwaway root that mirrors a VM (the unit and what it names), so that
// `systemd-analyze verify --root` resolves its paths, and the values a unit gives a directive.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** A file a VM root holds: its path in the VM, its text and mode. */
export interface RootFile {
  path: string;
  text: string;
  mode: number;
}

/** Every value of `key=` in a unit's text, in order. */
export function directives(text: string, key: string): string[] {
  return text.split("\n").filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));
}

/**
 * A fresh directory under the system's temporary directory (`prefix` names it) holding `files` at their VM
 * paths; pushed onto `tempDirs`, which the test removes in its afterAll.
 */
export function makeVmRoot(prefix: string, files: readonly RootFile[], tempDirs: string[]): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(root);
  for (const f of files) {
    const at = path.join(root, f.path);
    fs.mkdirSync(path.dirname(at), { recursive: true });
    fs.writeFileSync(at, f.text, { mode: f.mode });
  }
  return root;
}
