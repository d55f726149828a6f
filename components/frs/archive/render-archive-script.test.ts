import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeRun, requireTool, runTool } from "../../../test/support/require-tool";
import { renderArchiveScript, SAFE_RELATIVE_PATH } from "./render-archive-script";
import { prodArchiveStack } from "./test-plan";

// The script's behaviour against a real S3 server and the real mc is test/integration/frs-archive.test.ts;
// here: what it is rendered from, and that bash and shellcheck accept it.
const { plan } = prodArchiveStack();
const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe("renderArchiveScript", () => {
  const script = renderArchiveScript(plan);

  it("bash -n and shellcheck (every severity) accept the prod script", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-frs-archive-script-"));
    tempDirs.push(dir);
    const file = path.join(dir, "ibac-frs-archive");
    fs.writeFileSync(file, script, { mode: 0o755 });
    const syntax = runTool(requireTool("bash", "bash"), ["-n", file]);
    expect(syntax.status, describeRun(syntax)).toBe(0);
    const lint = runTool(requireTool("shellcheck", "shellcheck"), ["--shell=bash", "--severity=style", file]);
    expect(lint.status, describeRun(lint)).toBe(0);
  });

  it("archives the prod FRS VM's data directory after 14 days into the frsArchive bucket, under the VM's name, through the object store's address", () => {
    expect(script).toContain("readonly DATA_DIR=/srv/frs/data\n");
    expect(script).toContain("readonly RETENTION_DAYS=14\n");
    expect(script).toContain("readonly BUCKET=ibac-frs-archive\n");
    expect(script).toContain("readonly PREFIX=frs-1\n");
    expect(script).toContain("readonly S3_HOST_PORT=s3.ibac.rik.ee:9000\n");
    expect(script).toContain("readonly S3_ADDRESS=10.20.2.12\n");
    expect(script).toContain("readonly MC=/usr/local/bin/mc\n");
  });

  it("deletes a file only after its upload, the stored digest, the version id and the read-back were checked", () => {
    const order = ["mcx --quiet cp --attr", "mcx --json stat", '"$stored" != "$digest"', '-z "$version"', "mcx cat --vid", '"$read_back" != "$digest"', '"$after" != "$before"', "rm -f -- \"$file\""];
    const positions = order.map((s) => script.indexOf(s));
    expect(positions.every((p) => p > 0), JSON.stringify(positions)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(script.match(/\brm -f -- /g)).toHaveLength(1);
    expect(script).not.toMatch(/rmdir|find [^\n]*-delete|mc[x]? [^\n]*\brm\b/);
  });

  it("takes the keys from the environment only: never an argument, never printed", () => {
    expect(script).toContain('export MC_HOST_archive="https://$access_key:$secret_key@$S3_HOST_PORT"');
    expect(script).toContain("unset IBAC_S3_ACCESS_KEY IBAC_S3_SECRET_KEY");
    expect(script).not.toMatch(/echo[^\n]*\$(access_key|secret_key)/);
    expect(script).not.toContain("alias set");
  });

  it("accepts plain relative paths and refuses hidden, option-like, dot-dot, spaced and control-character names", () => {
    const safe = new RegExp(SAFE_RELATIVE_PATH);
    for (const ok of ["a", "2026/12/01/result-17.json", "x_y/Z.tar.gz", "a..b"]) expect(safe.test(ok), ok).toBe(true);
    for (const bad of [".hidden", "a/.x", "-rf", "a/-n", "..", "a/../b", "a b", "a\nb", "a/", "/a", "a//b", "é", "a\tb", "x".repeat(256)]) expect(safe.test(bad), JSON.stringify(bad)).toBe(false);
  });

  it.each([
    ["a VM name with a shell substitution", { vm: "frs-$(id)" }, 'renderArchiveScript: vm: expected a VM name such as frs-1, found "frs-$(id)"'],
    ["a data directory with a line break", { dataDir: "/srv/frs\n/data" }, "renderArchiveScript: dataDir: expected an absolute path of letters, digits, '.', '_' and '-' (no '.' or '..' segments), found \"/srv/frs\\n/data\""],
    ["the root as data directory", { dataDir: "/" }, "renderArchiveScript: dataDir: expected an absolute path"],
    ["a fractional retention", { retentionDays: 1.5 }, "renderArchiveScript: retentionDays: expected 1 to 365 days (frs.localRetentionDays), found 1.5"],
    ["a bucket name with a slash", { bucket: "ibac/../x" }, 'renderArchiveScript: bucket: expected an S3 bucket name, found "ibac/../x"'],
    ["a server name with a space", { endpoint: { ...plan.endpoint, serverName: "s3 x" } }, 'renderArchiveScript: endpoint.serverName: expected a lower-case DNS name such as s3.example.org, found "s3 x"'],
    ["an address that is a name", { endpoint: { ...plan.endpoint, address: "s3.example.org" } }, 'renderArchiveScript: endpoint.address: expected an IPv4 address such as 10.20.2.12, found "s3.example.org"'],
  ])("refuses %s", (_what, change, message) => {
    expect(() => renderArchiveScript({ ...plan, ...change })).toThrow(message);
  });
});
