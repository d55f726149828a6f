import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModel } from "../model/build";
import { stackSpec, STACKS } from "../../test/fixtures/specs";
import { describeRun, type ToolResult } from "../../test/support/require-tool";
import { corosyncCheck, type CorosyncCheck } from "../../test/support/corosync-check";
import { renderCorosyncConf } from "./render-corosync-conf";
import type { StorageClusterPlan, StoragePeer } from "./storage-plan";

function clusterOf(stack: string): StorageClusterPlan {
  const { model } = buildModel(stackSpec(stack));
  if (!model) throw new Error(`${stack} has no model`);
  return model.objectStore.cluster;
}

const PROD = clusterOf("prod");

function withoutQdevice(cluster: StorageClusterPlan): StorageClusterPlan {
  const copy: StorageClusterPlan = { ...cluster };
  delete copy.qdeviceAddress;
  return copy;
}

function withPeer(index: 0 | 1, change: Partial<StoragePeer>): StorageClusterPlan {
  const peers = [...PROD.peers] as [StoragePeer, StoragePeer];
  peers[index] = { ...peers[index], ...change };
  return { ...PROD, peers };
}

/** The file's lines without indentation or comments, to compare exact settings. */
function settings(text: string): string[] {
  return text.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
}

/** The text of one top-level section, `name { ... }`, by brace depth. */
function section(text: string, name: string): string {
  const start = text.indexOf(`\n${name} {`);
  if (start < 0) throw new Error(`no ${name} section`);
  let depth = 0;
  for (let i = text.indexOf("{", start); i < text.length; i++) {
    if (text[i] === "{") depth++;
    if (text[i] === "}" && --depth === 0) return text.slice(start + 1, i + 1);
  }
  throw new Error(`${name} section is not closed`);
}

describe("renderCorosyncConf: the prod storage cluster", () => {
  const text = renderCorosyncConf(PROD);
  const lines = settings(text);

  it.each([
    ["totem syntax version 2 (the only one corosync 3 parses)", "version: 2"],
    ["the cluster name the QNetd tells clusters apart by", "cluster_name: ibac-s3"],
    ["the knet transport", "transport: knet"],
    ["encryption", "crypto_cipher: aes256"],
    ["authentication", "crypto_hash: sha256"],
    ["link 0", "linknumber: 0"],
    ["link 1", "linknumber: 1"],
    ["votequorum", "provider: corosync_votequorum"],
    ["syslog logging", "to_syslog: yes"],
  ])("has %s", (_what, line) => {
    expect(lines).toContain(line);
  });

  it("names the nodes after the VMs, link 0 on the storage network and link 1 on the service network", () => {
    expect(section(text, "nodelist")).toBe(`nodelist {
    node {
        nodeid: 1
        name: s3-1
        ring0_addr: 10.20.3.40
        ring1_addr: 10.20.2.40
    }
    node {
        nodeid: 2
        name: s3-2
        ring0_addr: 10.20.3.41
        ring1_addr: 10.20.2.41
    }
}`);
  });

  it("takes the QDevice as the third vote (ffsplit over TLS) and does not set two_node", () => {
    expect(section(text, "quorum")).toBe(`quorum {
    provider: corosync_votequorum
    device {
        model: net
        votes: 1
        net {
            host: 10.20.0.5
            algorithm: ffsplit
            tls: on
        }
    }
}`);
    expect(text).not.toMatch(/two_node/);
  });

  it("carries no key: the authkey is delivered separately", () => {
    expect(text).not.toMatch(/^\s*(key|keyfile|private_key)\s*:/m);
  });

  it("without a QDevice: two_node with wait_for_all, and no device section", () => {
    const quorum = section(renderCorosyncConf(withoutQdevice(PROD)), "quorum");
    expect(quorum).toBe(`quorum {
    provider: corosync_votequorum
    two_node: 1
    wait_for_all: 1
}`);
  });

  it("lists the nodes by node id whatever the order of the plan's peers", () => {
    const swapped = { ...PROD, peers: [PROD.peers[1], PROD.peers[0]] as const };
    expect(renderCorosyncConf(swapped)).toBe(text);
  });
});

describe("renderCorosyncConf: a plan value that is not what it means is refused", () => {
  const where = "storage cluster plan (corosync.conf)";
  it.each<[string, StorageClusterPlan, string]>([
    ["a cluster name with a line break", { ...PROD, name: "ibac-s3\n}" }, `${where}: name: expected a cluster name such as ibac-s3 (a lower-case letter, then letters, digits or hyphens, at most 32), found "ibac-s3\\n}"`],
    ["a VM name with a space", withPeer(1, { vm: "s3-2 x" }), `${where}: peers[1].vm: expected a host name label such as s3-1 (lower-case letters, digits and inner hyphens), found "s3-2 x"`],
    ["a node id of 0", withPeer(0, { nodeId: 0 }), `${where}: peers[0].nodeId: expected an integer from 1 to 2, found 0`],
    ["twice the same node id", withPeer(1, { nodeId: 1 }), `${where}: peers[1].nodeId: expected a node id other than peers[0].nodeId, found 1`],
    ["twice the same VM", withPeer(1, { vm: "s3-1" }), `${where}: peers[1].vm: expected a host name other than peers[0].vm, found "s3-1"`],
    ["a storage address with an octet above 255", withPeer(0, { storageAddress: "10.20.3.256" }), `${where}: peers[0].storageAddress: expected an IPv4 address such as 10.20.3.40, found "10.20.3.256"`],
    ["a service address with a port", withPeer(1, { serviceAddress: "10.20.2.41:5405" }), `${where}: peers[1].serviceAddress: expected an IPv4 address such as 10.20.3.40, found "10.20.2.41:5405"`],
    ["both links on one address", withPeer(0, { serviceAddress: "10.20.3.40" }), `${where}: peers[0].serviceAddress: expected an address other than peers[0].storageAddress (two links need two networks), found "10.20.3.40"`],
    ["twice the same storage address", withPeer(1, { storageAddress: "10.20.3.40" }), `${where}: peers[1].storageAddress: expected an address other than peers[0].storageAddress, found "10.20.3.40"`],
    ["a QDevice that is a host name", { ...PROD, qdeviceAddress: "qnetd.example" }, `${where}: qdeviceAddress: expected an IPv4 address such as 10.20.3.40, found "qnetd.example"`],
  ])("%s", (_what, cluster, message) => {
    expect(() => renderCorosyncConf(cluster)).toThrow(new Error(message));
  });

  it("one peer only", () => {
    const cluster = { ...PROD, peers: [PROD.peers[0]] } as unknown as StorageClusterPlan;
    expect(() => renderCorosyncConf(cluster)).toThrow(new Error(`${where}: peers: expected exactly two peers, found "1 peers"`));
  });
});

/**
 * The real corosync -t. It refuses a file in which it cannot find the local node ("No valid name found for local
 * host"): it looks for a node whose address is on a local interface (or whose name is the host name). So each
 * check runs in a network namespace of its own with the peer's storage address on its loopback (the dummy link
 * type is not available here), under a host name that is neither VM, so the address alone identifies the node.
 * With crypto on, -t also opens /etc/corosync/authkey: a mount namespace puts a fresh test key there.
 * Covers bookworm's corosync 3.1.7; the QDevice section is read by corosync-qdevice, not by -t (see below).
 */
describe("renderCorosyncConf, read by the real corosync -t", () => {
  let dir: string;
  let checker: CorosyncCheck;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-corosync-"));
    checker = corosyncCheck(dir, "ibac-corosync");
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const corosyncTest = (text: string, localAddresses: readonly string[]): ToolResult => checker.check(text, localAddresses);

  /** The same file logging to stderr instead of syslog (one line changed), so a refusal says why. */
  function loud(text: string): string {
    const changed = text.replace("to_stderr: no", "to_stderr: yes");
    expect(changed).not.toBe(text);
    return changed;
  }

  for (const stack of STACKS) {
    for (const index of [0, 1] as const) {
      it(`${stack}: accepts the file on ${clusterOf(stack).peers[index].vm} (its storage address local)`, () => {
        const cluster = clusterOf(stack);
        const result = corosyncTest(renderCorosyncConf(cluster), [cluster.peers[index].storageAddress]);
        expect(result.status, describeRun(result)).toBe(0);
      });
    }
  }

  it("accepts the two_node rendering of a plan without a QDevice", () => {
    const result = corosyncTest(renderCorosyncConf(withoutQdevice(PROD)), [PROD.peers[1].storageAddress]);
    expect(result.status, describeRun(result)).toBe(0);
  });

  it("mutant: on a host that is neither VM (no local address) the file is refused (exit 8)", () => {
    const result = corosyncTest(loud(renderCorosyncConf(PROD)), []);
    expect(result.status, describeRun(result)).toBe(8);
    expect(result.stderr).toContain("No valid name found for local host");
  });

  it.each<[string, (t: string) => string, string]>([
    ["an unknown cipher", (t) => t.replace("crypto_cipher: aes256", "crypto_cipher: aes257"), "Invalid cipher type"],
    ["a cipher without a hash", (t) => t.replace("crypto_hash: sha256", "crypto_hash: none"), "crypto_cipher requires crypto_hash with value other than none"],
    ["twice the same node id", (t) => t.replace("nodeid: 2", "nodeid: 1"), "Nodeid 1 appears twice in corosync.conf"],
    ["a node without link 1", (t) => t.replace("        ring1_addr: 10.20.2.40\n", ""), "Not all nodes have the same number of links"],
    ["a transport other than knet (link priorities are knet's)", (t) => t.replace("transport: knet", "transport: udpu"), "Can only set link priority on knet transport type"],
    ["an address that is not one", (t) => t.replace("ring1_addr: 10.20.2.41", "ring1_addr: 10.20.2.4x"), "failed to parse node address '10.20.2.4x'"],
    ["totem version 3", (t) => t.replace("version: 2", "version: 3"), "This totem parser can only parse version 2 configurations"],
  ])("mutant: %s is refused (exit 8)", (_what, mutate, reason) => {
    const text = mutate(loud(renderCorosyncConf(PROD)));
    expect(text).not.toBe(loud(renderCorosyncConf(PROD)));
    const result = corosyncTest(text, [PROD.peers[0].storageAddress]);
    expect(result.status, describeRun(result)).toBe(8);
    expect(result.stdout + result.stderr).toContain(reason);
  });

  // Left unproven here: corosync -t does not read quorum.device (corosync-qdevice does, at run time; it is not
  // installed here), so the device section is pinned by the table tests above only, and corosync -t accepts
  // two_node next to a device. A live pair of corosync daemons over knet with the QNetd is not run here.
  it("does not check the QDevice section (that is corosync-qdevice's): an unknown algorithm passes -t", () => {
    const text = renderCorosyncConf(PROD).replace("algorithm: ffsplit", "algorithm: no-such-algorithm");
    const result = corosyncTest(text, [PROD.peers[0].storageAddress]);
    expect(result.status, describeRun(result)).toBe(0);
  });
});
