import { describe, expect, it } from "vitest";
import { systemdReadsEnvFile } from "../../test/support/systemd-env";
import { renderMinioEnv, type MinioEnvOptions } from "./render-minio-env";
import type { ObjectServicePlan } from "./storage-plan";
import { storageStack } from "../../test/fixtures/storage-stacks";

const PROD = storageStack("prod").plan.service;
const CREDS: MinioEnvOptions = { rootUser: "ibac-root", rootPassword: "k3Y-._+=,~abcdefGHIJ0123456789xyz" };


/** What systemd reads from an env file (test/support/systemd-env.ts, shared with the API's and FRS's). */
const systemdReads = systemdReadsEnvFile;

describe("renderMinioEnv", () => {
  it("prod: systemd reads the data directory, the loopback address behind HAProxy, TLS, no console and the root credentials", () => {
    expect(systemdReads(renderMinioEnv(PROD, CREDS))).toEqual({
      MINIO_VOLUMES: "/srv/minio/data",
      MINIO_OPTS: "--address 127.0.0.1:9010 --certs-dir /etc/minio/certs",
      MINIO_SERVER_URL: "https://s3.ibac.rik.ee:9000",
      MINIO_BROWSER: "off",
      MINIO_ROOT_USER: "ibac-root",
      MINIO_ROOT_PASSWORD: CREDS.rootPassword,
    });
  });

  it("binds to the loopback only (HAProxy serves the service address), while clients are still told the service's name and port", () => {
    const text = renderMinioEnv(PROD, CREDS);
    expect(PROD.address).toMatch(/^10\.20\.\d+\.12$/);
    expect(text).toContain("--address 127.0.0.1:9010 ");
    expect(text).not.toContain(PROD.address);
    expect(text).not.toMatch(/--address :|0\.0\.0\.0|--console-address/);
    expect(text).toContain("MINIO_SERVER_URL=https://s3.ibac.rik.ee:9000\n");
  });

  const bad: [string, Partial<ObjectServicePlan>, Partial<MinioEnvOptions>, string][] = [
    ["an address that is no IPv4 address", { address: "10.20.2.300" }, {}, 'renderMinioEnv: service.address: expected an IPv4 address such as 10.20.2.12, found "10.20.2.300"'],
    ["a server name with a line break", { serverName: "s3.example.org\nMINIO_BROWSER=on" }, {}, "renderMinioEnv: service.serverName: expected a lower-case DNS name such as s3.example.org, found \"s3.example.org\\nMINIO_BROWSER=on\""],
    ["a data directory with a space", { dataDir: "/srv/minio/my data" }, {}, 'renderMinioEnv: service.dataDir: expected an absolute path of letters, digits, \'.\', \'_\' and \'-\' (no \'.\' or \'..\' segments), found "/srv/minio/my data"'],
    ["a data directory outside the mount point", { dataDir: "/var/lib/minio" }, {}, 'renderMinioEnv: service.dataDir: expected a path below /srv/minio, found "/var/lib/minio"'],
    ["the mount point itself as the data directory", { dataDir: "/srv/minio" }, {}, 'renderMinioEnv: service.dataDir: expected a path below /srv/minio, found "/srv/minio"'],
    ["a port out of range", { port: 70000 }, {}, "renderMinioEnv: service.port: expected a TCP port (1 to 65535), found 70000"],
    ["MinIO bound to the service address again", { backend: { address: "10.20.2.12", port: 9010 } }, {}, 'renderMinioEnv: service.backend.address: expected a loopback address such as 127.0.0.1 (MinIO is reached through HAProxy only), found "10.20.2.12"'],
    ["MinIO bound to every address", { backend: { address: "0.0.0.0", port: 9010 } }, {}, 'renderMinioEnv: service.backend.address: expected a loopback address such as 127.0.0.1 (MinIO is reached through HAProxy only), found "0.0.0.0"'],
    ["a backend port out of range", { backend: { address: "127.0.0.1", port: 0 } }, {}, "renderMinioEnv: service.backend.port: expected a TCP port (1 to 65535), found 0"],
    ["a password with a quote", {}, { rootPassword: 'abc"defghij' }, "renderMinioEnv: rootPassword: expected 8 to 128 characters of letters, digits and -_.+=,~, found 11 characters, some outside that set (the value is a secret and not shown)"],
    ["a password with a dollar", {}, { rootPassword: "abc$defghij" }, "renderMinioEnv: rootPassword: expected 8 to 128 characters of letters, digits and -_.+=,~, found 11 characters, some outside that set (the value is a secret and not shown)"],
    ["a password too short for MinIO", {}, { rootPassword: "short" }, "renderMinioEnv: rootPassword: expected 8 to 128 characters of letters, digits and -_.+=,~, found 5 characters (the value is a secret and not shown)"],
    ["a root user with a colon", {}, { rootUser: "ibac:root" }, "renderMinioEnv: rootUser: expected 3 to 128 characters of letters, digits and -_.+=,~, found 9 characters, some outside that set (the value is a secret and not shown)"],
  ];
  it.each(bad)("refuses %s, with the field and what it expected", (_what, service, opts, message) => {
    expect(() => renderMinioEnv({ ...PROD, ...service }, { ...CREDS, ...opts })).toThrow(message);
  });

  it("never shows a refused secret in its error", () => {
    const secret = "sekrit'value-123";
    expect(() => renderMinioEnv(PROD, { ...CREDS, rootPassword: secret })).toThrow(/not shown/);
    try {
      renderMinioEnv(PROD, { ...CREDS, rootPassword: secret });
    } catch (e) {
      expect(String(e)).not.toContain(secret);
    }
  });

  it("what systemd would read differently is what the renderer refuses: a quote and a $ change the value", () => {
    // The reason for the character set, shown with systemd's own parser: unchecked, these would not round-trip.
    const read = systemdReads('A=abc"def\nB=abc$HOME\nC=plain-._+=,~\n');
    expect(read.A).not.toBe('abc"def');
    expect(read.C).toBe("plain-._+=,~");
  });
});
