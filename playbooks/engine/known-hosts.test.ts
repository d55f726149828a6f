import * as crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkHostKey, parseKnownHosts } from "./known-hosts";

// Two ed25519 public key blobs (base64 of the wire format), as the host presents them.
const KEY_A = "AAAAC3NzaC1lZDI1NTE5AAAAIBxCqWJq6y2cRDn2u4gV0k3Kx0wA1nX0XjC5J4mTQxIv";
const KEY_B = "AAAAC3NzaC1lZDI1NTE5AAAAIHnS0nQmV9Kx2dYyXl1bH7o7pJ8cQnB0mQ7cZr5c3nWk";
const CA = "AAAAC3NzaC1lZDI1NTE5AAAAIM1eY2bQnW2hF7vK2pL0qXcA3b9sT4uV5wX6yZ7a8b9c";
const FILE = "/home/op/.ssh/known_hosts";
const presented = (key: string): Buffer => Buffer.from(key, "base64");

/** The happy path: the host's own key, listed by address. */
const GOOD = `10.60.2.16 ssh-ed25519 ${KEY_A}\n`;
const check = (text: string, key = KEY_A, address = "10.60.2.16", port = 22): string | undefined => checkHostKey(parseKnownHosts(text), address, port, presented(key), FILE);

describe("known_hosts as OpenSSH reads it", () => {
  it("accepts the listed key of the host", () => {
    expect(check(GOOD)).toBeUndefined();
  });

  it("refuses another key", () => {
    expect(check(GOOD, KEY_B)).toBe(`its host key differs from the one in ${FILE}: possible impersonation, or the host was rebuilt; check it before updating ${FILE}`);
  });

  it("refuses a host that is not listed", () => {
    expect(check(GOOD, KEY_A, "10.60.2.17")).toBe(`not in ${FILE}: add its key (ssh-keyscan -p 22 10.60.2.17, checked against the console) before running runbooks against it`);
  });

  it("refuses a @revoked key even though another line lists it for the host", () => {
    expect(check(`${GOOD}@revoked * ssh-ed25519 ${KEY_A}\n`)).toBe(`its host key is marked @revoked in ${FILE} (line 2): it is never accepted, even where another line lists it; the host's key was compromised or replaced: get its new key before running runbooks against it`);
    expect(check(`@revoked 10.60.2.16 ssh-ed25519 ${KEY_A}\n${GOOD}`)).toContain("marked @revoked in /home/op/.ssh/known_hosts (line 1)");
  });

  it("a @revoked line for another key or another host leaves the listed key accepted", () => {
    expect(check(`${GOOD}@revoked * ssh-ed25519 ${KEY_B}\n`)).toBeUndefined();
    expect(check(`${GOOD}@revoked 10.60.2.17 ssh-ed25519 ${KEY_A}\n`)).toBeUndefined();
  });

  it("refuses a host trusted only through @cert-authority, naming the client's limitation", () => {
    expect(check(`@cert-authority 10.60.2.* ssh-ed25519 ${CA}\n`)).toBe(`${FILE} (line 1) trusts it through a @cert-authority, but the runbooks' SSH client (ssh2) cannot verify OpenSSH host certificates: add the host's own key (ssh-keyscan -p 22 10.60.2.16, checked against the console) to ${FILE}`);
  });

  it("a @cert-authority line never makes its own key a host key", () => {
    expect(check(`@cert-authority * ssh-ed25519 ${KEY_A}\n`)).toContain("trusts it through a @cert-authority");
  });

  it("with the host's own key listed beside a @cert-authority, the own key decides", () => {
    expect(check(`@cert-authority * ssh-ed25519 ${CA}\n${GOOD}`)).toBeUndefined();
    expect(check(`@cert-authority * ssh-ed25519 ${CA}\n${GOOD}`, KEY_B)).toContain("its host key differs");
  });

  it("matches wildcards, negations, ports and hashed names", () => {
    expect(check(`10.60.2.* ssh-ed25519 ${KEY_A}\n`)).toBeUndefined();
    expect(check(`10.60.2.1? ssh-ed25519 ${KEY_A}\n`)).toBeUndefined();
    expect(check(`10.60.2.*,!10.60.2.16 ssh-ed25519 ${KEY_A}\n`)).toContain("not in");
    expect(check(`[10.60.2.16]:2222 ssh-ed25519 ${KEY_A}\n`, KEY_A, "10.60.2.16", 2222)).toBeUndefined();
    expect(check(GOOD, KEY_A, "10.60.2.16", 2222)).toContain("not in");
    const salt = crypto.randomBytes(20);
    const hash = crypto.createHmac("sha1", salt).update("10.60.2.16").digest("base64");
    expect(check(`|1|${salt.toString("base64")}|${hash} ssh-ed25519 ${KEY_A}\n`)).toBeUndefined();
    expect(check(`10.60.2.1.6 ssh-ed25519 ${KEY_A}\n`, KEY_A, "10.60.2.16")).toContain("not in");
  });

  it("skips comments and lines with an unknown marker, as OpenSSH does", () => {
    expect(parseKnownHosts(`# comment\n\n@bogus * ssh-ed25519 ${KEY_B}\n${GOOD}`)).toEqual([{ marker: undefined, hosts: ["10.60.2.16"], key: KEY_A, line: 4 }]);
  });
});
