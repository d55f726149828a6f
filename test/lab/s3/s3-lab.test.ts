import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { requireS3Lab } from "./s3-lab";

describe("requireS3Lab", () => {
  it("fails naming the script that builds the chroot when it is missing, and a chroot without mc", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-s3-lab-missing-"));
    try {
      expect(() => requireS3Lab(path.join(dir, "s3-lab"))).toThrow(`the S3 lab chroot ${path.join(dir, "s3-lab")} is missing: run scripts/build-s3-lab.sh (it needs root and mmdebstrap)`);
      fs.writeFileSync(path.join(dir, ".complete"), "");
      expect(() => requireS3Lab(dir)).toThrow(`${path.join(dir, "usr/bin/minio-client")} is missing: rebuild the chroot (rm -rf ${dir}; scripts/build-s3-lab.sh)`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
