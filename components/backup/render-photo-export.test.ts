import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildModel } from "../model/build";
import { stackSpec } from "../../test/fixtures/specs";
import { describeRun, requireTool, runTool } from "../../test/support/require-tool";
import { PHOTO_EXPORT_ALIAS, renderPhotoExportMcConfig, renderPhotoExportScript } from "./render-photo-export";

// The photos job's export: parsed, shellchecked, and run (root, a tmpfs as the DRBD volume in a private mount
// namespace) against a stand-in mc that records its arguments. No mc or MinIO here: what is proven is what the
// script refuses and how it calls mc (alias, loopback backend, TLS name, target directory), not what mc copies.

const service = (() => {
  const { model } = buildModel(stackSpec("prod"));
  if (!model) throw new Error("prod has no model");
  return model.objectStore.service;
})();
const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function scratch(): { dir: string; volume: string; mc: string; mcDir: string; log: string; script: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-photo-export-"));
  tempDirs.push(dir);
  const volume = path.join(dir, "minio");
  fs.mkdirSync(volume);
  const mcDir = path.join(dir, "mc");
  fs.mkdirSync(mcDir, { mode: 0o700 });
  fs.writeFileSync(path.join(mcDir, "config.json"), renderPhotoExportMcConfig(service, "ibac-backup", "not-a-real-secret"), { mode: 0o600 });
  const log = path.join(dir, "mc.log");
  const mc = path.join(dir, "mc-stand-in");
  fs.writeFileSync(mc, `#!/bin/bash\nprintf '%s\\n' "$@" > ${log}\n`, { mode: 0o755 });
  const script = path.join(dir, "export.sh");
  fs.writeFileSync(script, renderPhotoExportScript({ service: { ...service, mountPoint: volume, dataDir: `${volume}/data` }, bucket: "photos", exportDirectory: `${volume}/export`, mcBinary: mc, mcConfigDir: mcDir }), { mode: 0o755 });
  return { dir, volume, mc, mcDir, log, script };
}

function run(s: ReturnType<typeof scratch>, mounted: boolean, after = ""): ReturnType<typeof runTool> {
  const unshare = requireTool("unshare", "util-linux");
  return runTool(unshare, ["-m", "--propagation", "private", "bash", "-c", `${mounted ? `mount -t tmpfs ibac-test ${s.volume}` : ""}\n${s.script}; rc=$?\n${after}\nexit $rc`]);
}

describe("the photo export (the photos job's ClientRunBeforeJob)", () => {
  it("passes bash -n and shellcheck", () => {
    const shellcheck = requireTool("shellcheck", "shellcheck");
    const s = scratch();
    const parsed = runTool("bash", ["-n", s.script]);
    expect(parsed.status, describeRun(parsed)).toBe(0);
    const checked = runTool(shellcheck, ["--severity=style", s.script]);
    expect(checked.status, describeRun(checked)).toBe(0);
  });

  it("mirrors the bucket from the loopback backend, TLS checked against the service name, into the volume (root, mount namespace)", () => {
    const s = scratch();
    const result = run(s, true, `stat -c '%a' ${s.volume}/export/photos`);
    expect(result.status, describeRun(result)).toBe(0);
    expect(result.stdout).toBe("700\n");
    expect(fs.readFileSync(s.log, "utf8").trim().split("\n")).toEqual([
      "--config-dir", s.mcDir,
      "--resolve", `${service.serverName}:${service.backend.port}=${service.backend.address}`,
      "--no-color", "--quiet", "mirror", "--overwrite", "--remove", `${PHOTO_EXPORT_ALIAS}/photos`, `${s.volume}/export/photos`,
    ]);
  });

  it("refuses to run where the volume is not mounted (the Unpromoted VM), without calling mc", () => {
    const s = scratch();
    const result = run(s, false);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`ibac-photo-export: ${s.volume} is not mounted: this VM is not the Promoted storage VM (the director reaches that one through the service address)\n`);
    expect(fs.existsSync(s.log)).toBe(false);
  });

  it("refuses an export directory off the volume or inside MinIO's data", () => {
    expect(() => renderPhotoExportScript({ service, bucket: "photos", exportDirectory: "/var/tmp/export" })).toThrow(`ibac-photo-export: exportDirectory (on the DRBD volume): expected a path below ${service.mountPoint}, found "/var/tmp/export"`);
    expect(() => renderPhotoExportScript({ service, bucket: "photos", exportDirectory: `${service.dataDir}/export` })).toThrow(`ibac-photo-export: exportDirectory: expected a directory apart from MinIO's data directory ${service.dataDir}, found "${service.dataDir}/export"`);
    expect(() => renderPhotoExportScript({ service, bucket: "Photos", exportDirectory: `${service.mountPoint}/export` })).toThrow('ibac-photo-export: bucket: expected an S3 bucket name, found "Photos"');
  });

  it("writes the backup user's keys into an mc configuration, one alias at the loopback backend; refuses a key with ':'", () => {
    const config = JSON.parse(renderPhotoExportMcConfig(service, "ibac-backup", "s3cr3t")) as unknown;
    expect(config).toEqual({ version: "10", aliases: { backup: { url: `https://${service.serverName}:${service.backend.port}`, accessKey: "ibac-backup", secretKey: "s3cr3t", api: "s3v4", path: "auto" } } });
    expect(() => renderPhotoExportMcConfig(service, "ibac-backup", "a:b")).toThrow("ibac-photo-export: the backup S3 user's secret key: expected printable characters without ':' or spaces, found 3 characters that are not (not shown)");
  });
});
