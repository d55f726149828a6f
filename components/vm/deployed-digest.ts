import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { RenderedFile } from "./rendered-file";

/**
 * The files followed by one more: a digest of them all (path, mode, owner, content), root-only and a secret
 * (secrets go into it), whose follow-up `runAfter` runs once per change of any file, after every file it reads
 * is in place. A tier's bootstrap script hangs off it.
 */
export function withDeployedDigest(files: readonly RenderedFile[], digestPath: string, runAfter: string): RenderedFile[] {
  const digest = pulumi.all(files.map((f) => pulumi.output(f.content))).apply((contents) => {
    const hash = crypto.createHash("sha256");
    files.forEach((f, i) => hash.update(`${f.path}\0${f.mode}\0${f.owner}\0${contents[i]}\0`));
    return `${hash.digest("hex")}\n`;
  });
  return [...files, { path: digestPath, content: pulumi.secret(digest), mode: "0600", owner: "root:root", afterChange: runAfter }];
}
