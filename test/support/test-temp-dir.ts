import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll } from "vitest";

// A test's temporary directory, removed when the test file ends: one place, so no test leaves its audit logs
// and scratch files in the shared /tmp. Importing this module registers the removal in the importing file
// (vitest isolates modules per test file, and the import runs while the file is collected).

const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A new directory under the system's temporary directory, named `<prefix>XXXXXX`, removed after the file's tests. */
export function testTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}
