import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

// A generated photo tree and its saved states: what a restore must give back byte for byte. Bytes come from a
// seeded generator (SHA-256 in counter mode) so a failing run can be reproduced, and no file compresses.

/** Path (relative, '/'-separated) -> SHA-256 of the bytes. */
export type TreeState = ReadonlyMap<string, string>;

export interface PhotoTreeOptions {
  /** Small files ("thumbnails"), 1-16 KiB each. */
  small: number;
  /** Large files ("originals"), each `largeMiB` (or a random size in that range). */
  large: number;
  largeMiB: readonly [number, number];
  seed: string;
}

/** Deterministic pseudo-random bytes: SHA-256(seed || counter) blocks. */
export function seededBytes(seed: string, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  const base = crypto.createHash("sha256").update(seed).digest();
  let offset = 0;
  for (let counter = 0; offset < length; counter++) {
    const block = crypto.createHash("sha256").update(base).update(String(counter)).digest();
    offset += block.copy(out, offset);
  }
  return out;
}

/** A number in [min, max] drawn from `seed`. */
function seededInt(seed: string, min: number, max: number): number {
  return min + (crypto.createHash("sha256").update(seed).digest().readUInt32BE(0) % (max - min + 1));
}

/** Writes the tree under `root` (created); returns the relative paths written. */
export function writePhotoTree(root: string, options: PhotoTreeOptions): string[] {
  const written: string[] = [];
  for (let i = 0; i < options.small; i++) {
    const rel = `albums/${String(i % 12).padStart(2, "0")}/thumb-${String(i).padStart(4, "0")}.jpg`;
    writeFile(root, rel, seededBytes(`${options.seed}/${rel}`, seededInt(`${options.seed}/${rel}/size`, 1024, 16 * 1024)));
    written.push(rel);
  }
  const [minMiB, maxMiB] = options.largeMiB;
  for (let i = 0; i < options.large; i++) {
    const rel = `originals/IMG_${String(i).padStart(4, "0")}.CR2`;
    const size = seededInt(`${options.seed}/${rel}/size`, minMiB * 1024 * 1024, maxMiB * 1024 * 1024);
    writeFile(root, rel, seededBytes(`${options.seed}/${rel}`, size));
    written.push(rel);
  }
  return written;
}

/** Random bytes around a marker string, so the marker is the only readable thing in the file. */
export function markerFileBytes(marker: string, seed: string): Buffer {
  return Buffer.concat([seededBytes(`${seed}/head`, 3000), Buffer.from(marker), seededBytes(`${seed}/tail`, 5000)]);
}

export function writeFile(root: string, rel: string, bytes: Buffer): void {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
}

/** Every regular file under `root`, hashed. Directories are implied by the paths; symlinks are not made here. */
export function snapshotTree(root: string): TreeState {
  const state = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) state.set(path.relative(root, full).split(path.sep).join("/"), crypto.createHash("sha256").update(fs.readFileSync(full)).digest("hex"));
      else throw new Error(`${full}: not a regular file or directory`);
    }
  };
  walk(root);
  return new Map([...state].sort(([a], [b]) => a.localeCompare(b)));
}

/** What differs between two states, as readable lines (empty when identical). */
export function diffStates(expected: TreeState, actual: TreeState): string[] {
  const lines: string[] = [];
  for (const [rel, hash] of expected) {
    const got = actual.get(rel);
    if (got === undefined) lines.push(`missing: ${rel}`);
    else if (got !== hash) lines.push(`differs: ${rel}`);
  }
  for (const rel of actual.keys()) if (!expected.has(rel)) lines.push(`unexpected: ${rel}`);
  return lines;
}

/** Total bytes of the files under `root`. */
export function treeBytes(root: string): number {
  let total = 0;
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else total += fs.statSync(full).size;
    }
  };
  walk(root);
  return total;
}

/** True when `needle` occurs anywhere in `file`, read in chunks (volumes can be large); overlaps are handled. */
export function fileContains(file: string, needle: Buffer): boolean {
  const fd = fs.openSync(file, "r");
  try {
    const chunk = Buffer.allocUnsafe(4 * 1024 * 1024);
    let carry = Buffer.alloc(0);
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) return false;
      const window = Buffer.concat([carry, chunk.subarray(0, n)]);
      if (window.includes(needle)) return true;
      carry = window.subarray(Math.max(0, window.length - needle.length + 1));
    }
  } finally {
    fs.closeSync(fd);
  }
}
