// The DRBD 8.4 resource file, read by the real drbdadm (drbd-utils' 8.4 flavour, /usr/lib/drbd/drbdadm-84:
// Debian's kernels carry DRBD 8.4.11, and with no drbd module loaded the `drbdadm` wrapper would pick the 9
// parser, which refuses 8.4's `fencing` in disk{}). Each peer's view is checked under `unshare -u` with that
// peer's host name, because drbdadm finds its own `on` section by `uname -n`. The proof covers bookworm's
// drbd-utils 9.22 (drbdadm-84); the kernel side is proven in test/integration/storage-drbd-failover.test.ts.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeRun, requireTool, runTool, type ToolResult } from "../../test/support/require-tool";
import type { DrbdResourcePlan, StoragePeer } from "./storage-plan";
import { renderDrbdResource } from "./render-drbd-resource";

const DRBDADM_84 = "/usr/lib/drbd/drbdadm-84";

function peer(vm: string, nodeId: number, host: number): StoragePeer {
  return {
    vm,
    nodeId,
    proxmoxNode: `pve-${nodeId}`,
    proxmoxNodeAddress: `10.20.0.${10 + nodeId}`,
    vmId: 1200 + nodeId,
    storageAddress: `10.20.3.${host}`,
    serviceAddress: `10.20.1.${host}`,
  };
}

/** Shaped like prod's plan (a literal: the addresses only ever land in a file here, nothing is sent to them). */
const PROD_LIKE: DrbdResourcePlan = {
  name: "ibac-s3",
  port: 7789,
  minor: 0,
  device: "/dev/drbd0",
  backingDisk: "/dev/disk/by-id/virtio-ibac-data",
  protocol: "C",
  peers: [peer("s3-1", 1, 11), peer("s3-2", 2, 12)],
};

function withPeer(index: 0 | 1, change: Partial<StoragePeer>): DrbdResourcePlan {
  const peers = [...PROD_LIKE.peers] as [StoragePeer, StoragePeer];
  peers[index] = { ...peers[index], ...change };
  return { ...PROD_LIKE, peers };
}

describe("renderDrbdResource: the text", () => {
  const text = renderDrbdResource(PROD_LIKE);
  const lines = text.split("\n").map((l) => l.trim());

  it.each([
    ["the resource", "resource ibac-s3 {"],
    ["synchronous replication", "protocol C;"],
    ["fencing by Pacemaker and STONITH (in disk{}, as 8.4 wants)", "fencing resource-and-stonith;"],
    ["the CIB fence handler", 'fence-peer "/usr/lib/drbd/crm-fence-peer.sh";'],
    ["the CIB unfence handler after resync", 'after-resync-target "/usr/lib/drbd/crm-unfence-peer.sh";'],
    ["split brain mailed to root", 'split-brain "/usr/lib/drbd/notify-split-brain.sh root";'],
    ["no Primary: only a side without changes is discarded", "after-sb-0pri discard-zero-changes;"],
    ["one Primary: no automatic victim", "after-sb-1pri disconnect;"],
    ["two Primaries: no automatic victim", "after-sb-2pri disconnect;"],
    ["the first peer's section", "on s3-1 {"],
    ["the second peer's section", "on s3-2 {"],
    ["the first peer's address", "address ipv4 10.20.3.11:7789;"],
    ["the second peer's address", "address ipv4 10.20.3.12:7789;"],
  ])("has %s", (_what, line) => {
    expect(lines).toContain(line);
  });

  it("gives both peers the same device, backing disk and internal metadata", () => {
    expect(lines.filter((l) => l === "device /dev/drbd0 minor 0;")).toHaveLength(2);
    expect(lines.filter((l) => l === "disk /dev/disk/by-id/virtio-ibac-data;")).toHaveLength(2);
    expect(lines.filter((l) => l === "meta-disk internal;")).toHaveLength(2);
  });

  it("puts fencing in disk{} and protocol in net{}", () => {
    expect(text).toMatch(/disk \{[^}]*fencing resource-and-stonith;[^}]*\}/);
    expect(text).toMatch(/net \{[^}]*protocol C;[^}]*\}/);
  });

  it("carries no shared secret (authentication is the storage network's firewall)", () => {
    expect(text).not.toMatch(/^\s*(shared-secret|cram-hmac-alg)\b/m);
  });

  it("takes every value from the plan", () => {
    const other = renderDrbdResource({ ...PROD_LIKE, name: "lab-s3", port: 7790, minor: 3, device: "/dev/drbd3", backingDisk: "/dev/vdb",
      peers: [peer("lab-s3-a", 1, 21), peer("lab-s3-b", 2, 22)] });
    expect(other).toContain("resource lab-s3 {");
    expect(other).toContain("device /dev/drbd3 minor 3;");
    expect(other).toContain("disk /dev/vdb;");
    expect(other).toContain("on lab-s3-a {");
    expect(other).toContain("address ipv4 10.20.3.22:7790;");
    expect(other).not.toMatch(/ibac-s3|s3-1|7789|drbd0|virtio-ibac-data/);
  });
});

describe("renderDrbdResource: a plan value that is not what it means is refused", () => {
  it.each<[string, DrbdResourcePlan, string]>([
    ["a resource name with a brace", { ...PROD_LIKE, name: "ibac{s3" }, 'DRBD resource plan: name: expected a resource name such as ibac-s3 (a lower-case letter, then letters, digits or hyphens, at most 32), found "ibac{s3"'],
    ["a port below 1024", { ...PROD_LIKE, port: 80 }, "DRBD resource plan: port: expected an integer from 1024 to 65535, found 80"],
    ["a fractional port", { ...PROD_LIKE, port: 7789.5 }, "DRBD resource plan: port: expected an integer from 1024 to 65535, found 7789.5"],
    ["a negative minor", { ...PROD_LIKE, minor: -1 }, "DRBD resource plan: minor: expected an integer from 0 to 1048575, found -1"],
    ["a device of another minor", { ...PROD_LIKE, device: "/dev/drbd1" }, 'DRBD resource plan: device: expected /dev/drbd0 (the device of minor 0), found "/dev/drbd1"'],
    ["a backing disk with a line break", { ...PROD_LIKE, backingDisk: "/dev/vdb;\n}" }, 'DRBD resource plan: backingDisk: expected a block device path below /dev such as /dev/disk/by-id/virtio-data, found "/dev/vdb;\\n}"'],
    ["a backing disk outside /dev", { ...PROD_LIKE, backingDisk: "/dev/../etc/passwd" }, 'DRBD resource plan: backingDisk: expected a path without . or .. segments, found "/dev/../etc/passwd"'],
    ["an asynchronous protocol", { ...PROD_LIKE, protocol: "A" as "C" }, 'DRBD resource plan: protocol: expected "C" (synchronous: the only protocol that loses no acknowledged write), found "A"'],
    ["a host name with a space", withPeer(1, { vm: "s3-2 x" }), 'DRBD resource plan: peers[1].vm: expected a host name label such as s3-1 (lower-case letters, digits and inner hyphens), found "s3-2 x"'],
    ["a host name in capitals", withPeer(0, { vm: "S3-1" }), 'DRBD resource plan: peers[0].vm: expected a host name label such as s3-1 (lower-case letters, digits and inner hyphens), found "S3-1"'],
    ["an address with an octet above 255", withPeer(0, { storageAddress: "10.20.3.256" }), 'DRBD resource plan: peers[0].storageAddress: expected an IPv4 address such as 10.20.3.11, found "10.20.3.256"'],
    ["an address with a port", withPeer(1, { storageAddress: "10.20.3.12:22" }), 'DRBD resource plan: peers[1].storageAddress: expected an IPv4 address such as 10.20.3.11, found "10.20.3.12:22"'],
    ["twice the same host", withPeer(1, { vm: "s3-1" }), 'DRBD resource plan: peers[1].vm: expected a host name other than peers[0].vm, found "s3-1"'],
    ["twice the same address", withPeer(1, { storageAddress: "10.20.3.11" }), 'DRBD resource plan: peers[1].storageAddress: expected an address other than peers[0].storageAddress, found "10.20.3.11"'],
  ])("%s", (_what, plan, message) => {
    expect(() => renderDrbdResource(plan)).toThrow(new Error(message));
  });

  it("one peer only", () => {
    const plan = { ...PROD_LIKE, peers: [PROD_LIKE.peers[0]] } as unknown as DrbdResourcePlan;
    expect(() => renderDrbdResource(plan)).toThrow(new Error('DRBD resource plan: peers: expected exactly two peers, found "1 peers"'));
  });
});

describe("renderDrbdResource, read by the real drbdadm-84 as each peer", () => {
  let drbdadm: string;
  let unshare: string;
  let dir: string;

  beforeAll(() => {
    drbdadm = requireTool(DRBDADM_84, "drbd-utils");
    unshare = requireTool("unshare", "util-linux");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-drbd-res-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  let fileCount = 0;
  function write(text: string): string {
    const file = path.join(dir, `r${fileCount++}.res`);
    fs.writeFileSync(file, text);
    return file;
  }

  /** drbdadm as host `host` (a UTS namespace of its own, so the machine's name is untouched). */
  function drbdadmAs(host: string, file: string, ...command: string[]): ToolResult {
    // sh's positional parameters carry the values: nothing is spliced into the script text.
    return runTool(unshare, ["-u", "sh", "-c", 'hostname "$1" && shift && exec "$@"', "sh", host, drbdadm, "-c", file, ...command]);
  }

  for (const host of ["s3-1", "s3-2"]) {
    it(`${host}: drbdadm dump accepts the file and reads back the fencing, handlers and split-brain policies`, () => {
      const result = drbdadmAs(host, write(renderDrbdResource(PROD_LIKE)), "dump", "ibac-s3");
      expect(result.status, describeRun(result)).toBe(0);
      expect(result.stdout).toContain(`# resource ibac-s3 on ${host}: not ignored, not stacked`);
      for (const pattern of [/fencing\s+resource-and-stonith;/, /protocol\s+C;/, /fence-peer\s+\/usr\/lib\/drbd\/crm-fence-peer\.sh;/,
        /after-resync-target\s+\/usr\/lib\/drbd\/crm-unfence-peer\.sh;/, /split-brain\s+"\/usr\/lib\/drbd\/notify-split-brain\.sh root";/,
        /after-sb-0pri\s+discard-zero-changes;/, /after-sb-1pri\s+disconnect;/, /after-sb-2pri\s+disconnect;/]) {
        expect(result.stdout).toMatch(pattern);
      }
    });

    it(`${host}: drbdadm -d up would attach with fencing and connect with protocol C and the policies`, () => {
      const result = drbdadmAs(host, write(renderDrbdResource(PROD_LIKE)), "-d", "up", "ibac-s3");
      expect(result.status, describeRun(result)).toBe(0);
      const own = host === "s3-1" ? "10.20.3.11" : "10.20.3.12";
      const other = host === "s3-1" ? "10.20.3.12" : "10.20.3.11";
      expect(result.stdout).toMatch(/attach 0 \/dev\/disk\/by-id\/virtio-ibac-data \/dev\/disk\/by-id\/virtio-ibac-data internal --fencing=resource-and-stonith/);
      expect(result.stdout).toContain(`connect ibac-s3 ipv4:${own}:7789 ipv4:${other}:7789 --protocol=C --after-sb-0pri=discard-zero-changes --after-sb-1pri=disconnect --after-sb-2pri=disconnect`);
    });
  }

  it("the drbdadm wrapper, told the module is 8.4.11, hands the file to the same 8.4 parser (as in the guests, where /proc/drbd says so)", () => {
    const wrapper = requireTool("drbdadm", "drbd-utils");
    const file = write(renderDrbdResource(PROD_LIKE));
    const result = runTool(unshare, ["-u", "sh", "-c", 'hostname "$1" && shift && exec "$@"', "sh", "s3-1", wrapper, "-c", file, "dump", "ibac-s3"],
      { env: { ...process.env, DRBD_DRIVER_VERSION_OVERRIDE: "8.4.11" } });
    expect(result.status, describeRun(result)).toBe(0);
    expect(result.stdout).toMatch(/disk \{\s+fencing\s+resource-and-stonith;\s+\}/);
  });

  it("mutant: a host that is neither peer finds no resource for itself (exit 1)", () => {
    const result = drbdadmAs("s3-3", write(renderDrbdResource(PROD_LIKE)), "dump", "ibac-s3");
    expect(result.status, describeRun(result)).toBe(1);
    expect(result.stderr).toContain("'ibac-s3' not defined in your config (for this host).");
  });

  it("mutant: DRBD 9's quorum key is refused by the 8.4 parser (exit 10)", () => {
    const text = renderDrbdResource(PROD_LIKE).replace("fencing resource-and-stonith;", "fencing resource-and-stonith;\n    quorum majority;");
    const result = drbdadmAs("s3-1", write(text), "dump", "ibac-s3");
    expect(result.status, describeRun(result)).toBe(10);
    expect(result.stderr).toMatch(/Parse error: 'an option keyword' expected,\s+but got 'quorum'/);
  });

  it("mutant: a peer section with no address is refused (exit 10)", () => {
    const text = renderDrbdResource(PROD_LIKE).replace("    address ipv4 10.20.3.12:7789;\n", "");
    const result = drbdadmAs("s3-1", write(text), "dump", "ibac-s3");
    expect(result.status, describeRun(result)).toBe(10);
    expect(result.stderr).toMatch(/address/);
  });
});
