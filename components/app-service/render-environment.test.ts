import { describe, expect, it } from "vitest";
import { systemdReadsEnvFile } from "../../test/support/systemd-env";
import { servicePlan } from "../../test/fixtures/app-service-plans";
import { renderEnvironment, type ServiceCredentials } from "./render-environment";

const API = servicePlan("api").plan;
const FRS = servicePlan("frs").plan;
// Made-up secrets in the character sets the database (@pulumi/random, -_.+=:,~) and the object store make.
const CREDS: ServiceCredentials = {
  database: { user: "ibac_app", password: "Pw-_.+=:,~0123456789abcdefABCDEF" },
  objectStore: { accessKey: "ibac-api", secretKey: "S3secretKey0123456789abcdefghijklmnopqrs" },
};

describe("renderEnvironment, read back by systemd's own env-file parser", () => {
  it("API (api-1): where it listens, its TLS files, the database and S3 by address and name, its bucket, the FRS instances, then the operator's", () => {
    const env = systemdReadsEnvFile(renderEnvironment(API, API.instances[0], CREDS));
    expect(env).toEqual({
      IBAC_INSTANCE: "api-1",
      IBAC_SERVER_NAME: "api-1.ibac.rik.ee",
      IBAC_LISTEN_ADDRESS: "10.20.2.88",
      IBAC_LISTEN_PORT: "8443",
      IBAC_HEALTH_PATH: "/healthz",
      IBAC_TLS_CERT: "/etc/ibac-api/tls/cert.pem",
      IBAC_TLS_KEY: "/etc/ibac-api/tls/key.pem",
      IBAC_TLS_CA: "/etc/ibac-api/tls/ca.pem",
      IBAC_TLS_CRL: "/etc/ibac-api/tls/crl.pem",
      IBAC_DB_ADDRESS: "10.20.2.11",
      IBAC_DB_PORT: "3306",
      IBAC_DB_SERVER_NAME: "db.ibac.rik.ee",
      IBAC_DB_NAME: "ibac",
      IBAC_DB_USER: "ibac_app",
      IBAC_DB_PASSWORD: CREDS.database.password,
      IBAC_S3_ENDPOINT: "https://s3.ibac.rik.ee:9000",
      IBAC_S3_ADDRESS: "10.20.2.12",
      IBAC_S3_PORT: "9000",
      IBAC_S3_SERVER_NAME: "s3.ibac.rik.ee",
      IBAC_S3_ACCESS_KEY: "ibac-api",
      IBAC_S3_SECRET_KEY: CREDS.objectStore.secretKey,
      IBAC_S3_BUCKET_PHOTOS: "ibac-photos",
      IBAC_FRS_URLS: "https://frs-1.ibac.rik.ee:8443,https://frs-2.ibac.rik.ee:8443",
      IBAC_FRS_ADDRESSES: "10.20.2.64:8443,10.20.2.65:8443",
      API_LOG_LEVEL: "info",
    });
  });

  it("FRS (frs-2): its data directory and retention, the photos and archive buckets, no FRS list", () => {
    const env = systemdReadsEnvFile(renderEnvironment(FRS, FRS.instances[1], { ...CREDS, objectStore: { ...CREDS.objectStore, accessKey: "ibac-frs" } }));
    expect(env.IBAC_LISTEN_ADDRESS).toBe("10.20.2.65");
    expect(env.IBAC_SERVER_NAME).toBe("frs-2.ibac.rik.ee");
    expect(env.IBAC_FRS_DATA_DIR).toBe("/srv/frs/data");
    expect(env.IBAC_FRS_LOCAL_RETENTION_DAYS).toBe("14");
    expect(env.IBAC_S3_BUCKET_PHOTOS).toBe("ibac-photos");
    expect(env.IBAC_S3_BUCKET_FRS_ARCHIVE).toBe("ibac-frs-archive");
    expect(env.IBAC_S3_ACCESS_KEY).toBe("ibac-frs");
    expect(env.IBAC_FRS_URLS).toBeUndefined();
    expect([env.FRS_WORKERS, env.FRS_MODEL]).toEqual(["6", "arcface-r100"]);
  });

  it("an operator's value with spaces (leading and trailing too) and the schema's other characters reads back as written", () => {
    const value = " a b ._:/,=@+%- c ";
    const text = renderEnvironment({ ...API, operatorEnvironment: { API_GREETING: value, API_EMPTY: "" } }, API.instances[0], CREDS);
    expect(systemdReadsEnvFile(text).API_GREETING).toBe(value);
    // An empty value is written as such; the environment.d reading ignores empty assignments (EnvironmentFile=
    // keeps them), so this one is checked as text only.
    expect(text).toContain("\nAPI_EMPTY=''\n");
  });

  it("shows why the quoting matters: unquoted, systemd's parser drops a value's leading and trailing spaces", () => {
    const read = systemdReadsEnvFile("A= a b \nB=' a b '\n");
    expect(read.A).toBe("a b");
    expect(read.B).toBe(" a b ");
  });

  it.each([
    ["a password with a quote", { ...CREDS, database: { user: "ibac_app", password: "abc'def" } }, "renderEnvironment: IBAC_DB_PASSWORD: expected printable ASCII without quotes, backslashes, backticks or $, found 7 characters, some outside that set (the value is a secret and not shown)"],
    ["a secret key with a dollar", { ...CREDS, objectStore: { accessKey: "ibac-api", secretKey: "abc$HOME" } }, "renderEnvironment: IBAC_S3_SECRET_KEY: expected printable ASCII without quotes, backslashes, backticks or $, found 8 characters, some outside that set (the value is a secret and not shown)"],
    ["a user with a line break", { ...CREDS, database: { user: "ibac\nIBAC_X=1", password: "p" } }, 'renderEnvironment: IBAC_DB_USER: expected printable ASCII without quotes, backslashes, backticks or $, found "ibac\\nIBAC_X=1"'],
  ])("refuses %s, never showing a secret", (_what, creds, message) => {
    expect(() => renderEnvironment(API, API.instances[0], creds)).toThrow(message);
  });

  it("refuses an operator's value with a line break or a quote, and a name the toolkit sets", () => {
    expect(() => renderEnvironment({ ...API, operatorEnvironment: { API_X: "a\nIBAC_DB_USER=root" } }, API.instances[0], CREDS)).toThrow(
      'renderEnvironment: api.environment: API_X: expected printable ASCII without quotes, backslashes, backticks or $, found "a\\nIBAC_DB_USER=root"',
    );
    expect(() => renderEnvironment({ ...API, operatorEnvironment: { IBAC_DB_USER: "root" } }, API.instances[0], CREDS)).toThrow(
      'renderEnvironment: api.environment.IBAC_DB_USER: expected a name outside IBAC_* (the toolkit sets those: endpoints, credentials, paths), found "IBAC_DB_USER"',
    );
  });

  it("refuses an endpoint that is not what it should be", () => {
    expect(() => renderEnvironment({ ...API, database: { ...API.database, serverName: "db.example.org\nX=1" } }, API.instances[0], CREDS)).toThrow(
      'renderEnvironment: database.serverName: expected a lower-case DNS name such as s3.example.org, found "db.example.org\\nX=1"',
    );
    expect(() => renderEnvironment(API, { ...API.instances[0], address: "10.20.2.300" }, CREDS)).toThrow('renderEnvironment: instance.address: expected an IPv4 address such as 10.20.2.12, found "10.20.2.300"');
  });
});
