// One quoting function for every value in a Bacula file: what it refuses (exact messages), and that what it
// escapes is read back by Bacula 9.6 (bdirjson) as the original text.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { absolutePath, ipv4, name, password, quote } from "./quote";
import { baculaJson, baculaStand, createCatalog, type BaculaStand } from "./bacula-test-stand";
import { renderDirectorConf, renderFileDaemonConf } from "./render-files";
import type { BaculaPlan } from "./bacula-plan";

describe("quote", () => {
  it("double-quotes a value and escapes the quote and the backslash", () => {
    expect(quote('a "b" \\c', "x")).toBe('"a \\"b\\" \\\\c"');
  });

  it("refuses a control character (a line break would start a new directive)", () => {
    expect(() => quote("/srv/a\nFile = /etc", "fileSet Photos.include")).toThrow('bacula: fileSet Photos.include: expected no control characters, found "\\n" in "/srv/a\\nFile = /etc"');
    expect(() => quote("tab\there", "x")).toThrow('bacula: x: expected no control characters, found "\\t" in "tab\\there"');
    expect(() => quote("del\u007f", "x")).toThrow('bacula: x: expected no control characters, found "\\u007f" in "del\\u007f"');
  });

  it("refuses a relative path and dot segments", () => {
    expect(() => absolutePath("srv/bacula/volumes", "device DrbdVolumes.archiveDirectory")).toThrow('bacula: device DrbdVolumes.archiveDirectory: expected an absolute path without \'.\' or \'..\' segments, found "srv/bacula/volumes"');
    expect(() => absolutePath("/srv/../etc", "x")).toThrow("bacula: x: expected an absolute path without '.' or '..' segments, found \"/srv/../etc\"");
  });

  it("refuses names Bacula cannot hold, short passwords, and addresses that are no IPv4", () => {
    expect(() => name("db 1", "client.name")).toThrow('bacula: client.name: expected a name of 1 to 127 letters, digits, \'.\', \'_\' and \'-\' starting with a letter or digit, found "db 1"');
    expect(() => name("-x", "client.name")).toThrow("starting with a letter or digit, found \"-x\"");
    expect(() => password("short", "secrets.storagePassword")).toThrow("bacula: secrets.storagePassword: expected a password of at least 16 characters, found 5");
    expect(() => ipv4("10.0.0.256", "director.address")).toThrow('bacula: director.address: expected an IPv4 address, found "10.0.0.256"');
  });
});

describe("the renderers refuse bad values before Bacula sees them", () => {
  let stand: BaculaStand;
  beforeAll(() => { stand = baculaStand("lab"); });
  afterAll(() => stand?.remove());

  it("a control character in a file set path", () => {
    const plan: BaculaPlan = { ...stand.plan, fileSets: stand.plan.fileSets.map((f) => (f.name === "Photos" ? { ...f, include: ["/srv/minio/export/x\rFile = /etc/shadow"] } : f)) };
    expect(() => renderDirectorConf(plan, stand.secrets, stand.paths)).toThrow('bacula: fileSet Photos.include: expected no control characters, found "\\r" in "/srv/minio/export/x\\rFile = /etc/shadow"');
  });

  it("a relative working directory and a relative master certificate", () => {
    const plan: BaculaPlan = { ...stand.plan, director: { ...stand.plan.director, workingDirectory: "srv/bacula/director" } };
    expect(() => renderDirectorConf(plan, stand.secrets, stand.paths)).toThrow('bacula: director.workingDirectory: expected an absolute path without \'.\' or \'..\' segments, found "srv/bacula/director"');
    const fdPlan: BaculaPlan = { ...stand.plan, masterCertificatePath: "master.pem" };
    expect(() => renderFileDaemonConf(fdPlan, "s3-fd", stand.secrets, stand.paths)).toThrow('bacula: masterCertificatePath: expected an absolute path without \'.\' or \'..\' segments, found "master.pem"');
  });

  it("a client without a password", () => {
    const secrets = { ...stand.secrets, clientPasswords: {} };
    expect(() => renderFileDaemonConf(stand.plan, "s3-fd", secrets, stand.paths)).toThrow("bacula: secrets.clientPasswords: expected a password for s3-fd, found none");
  });

  it("Bacula reads an escaped quote and backslash back as written (bdirjson)", () => {
    const odd = '/srv/odd "quoted" \\dir';
    const plan: BaculaPlan = { ...stand.plan, fileSets: stand.plan.fileSets.map((f) => (f.name === "Photos" ? { ...f, include: [odd] } : f)) };
    createCatalog(plan.director.catalogFile);
    const conf = stand.write("odd-dir.conf", renderDirectorConf(plan, stand.secrets, stand.paths));
    const json = baculaJson("bdirjson", ["-r", "FileSet", "-n", "Photos"], conf) as { Include: { File: string[] }[] };
    expect(json.Include[0].File).toEqual([odd]);
  });
});
