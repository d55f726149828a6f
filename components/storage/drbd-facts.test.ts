import { describe, expect, it } from "vitest";
import { drbdResourceFacts } from "./drbd-facts";

const RESOURCE = `# rendered by ibac
resource ibac-s3 {
  protocol C;
  disk {
    fencing resource-and-stonith; # 8.4 keeps it here
  }
  handlers {
    fence-peer "/usr/lib/drbd/crm-fence-peer.sh";
    after-resync-target "/usr/lib/drbd/crm-unfence-peer.sh";
  }
  net {
    after-sb-0pri discard-zero-changes;
    after-sb-1pri disconnect;
    after-sb-2pri disconnect;
  }
  on s3-1 {
    device /dev/drbd0;
    disk /dev/disk/by-id/scsi-0QEMU_QEMU_HARDDISK_drive-scsi1;
    address 10.20.3.40:7789;
    meta-disk internal;
  }
  on s3-2 {
    device /dev/drbd0;
    disk /dev/disk/by-id/scsi-0QEMU_QEMU_HARDDISK_drive-scsi1;
    address ipv4 10.20.3.41:7789;
    meta-disk internal;
  }
}
`;

describe("drbdResourceFacts (a reader of rendered DRBD 8.4 resource files)", () => {
  it("reads the protocol, fencing, handlers, split-brain policies and both peers", () => {
    expect(drbdResourceFacts(RESOURCE)).toEqual({
      name: "ibac-s3",
      protocol: "C",
      fencing: "resource-and-stonith",
      handlers: { "fence-peer": "/usr/lib/drbd/crm-fence-peer.sh", "after-resync-target": "/usr/lib/drbd/crm-unfence-peer.sh" },
      afterSplitBrain: { zeroPrimaries: "discard-zero-changes", onePrimary: "disconnect", twoPrimaries: "disconnect" },
      peers: [
        { host: "s3-1", address: "10.20.3.40", port: 7789, disk: "/dev/disk/by-id/scsi-0QEMU_QEMU_HARDDISK_drive-scsi1", device: "/dev/drbd0" },
        { host: "s3-2", address: "10.20.3.41", port: 7789, disk: "/dev/disk/by-id/scsi-0QEMU_QEMU_HARDDISK_drive-scsi1", device: "/dev/drbd0" },
      ],
    });
  });

  it.each([
    ["fencing commented out", RESOURCE.replace("    fencing resource-and-stonith;", "    # fencing resource-and-stonith;"), (f: ReturnType<typeof drbdResourceFacts>) => f.fencing, undefined],
    ["protocol A", RESOURCE.replace("protocol C;", "protocol A;"), (f: ReturnType<typeof drbdResourceFacts>) => f.protocol, "A"],
    ["fencing in net {} (DRBD 9's place)", RESOURCE.replace("    fencing resource-and-stonith; # 8.4 keeps it here\n", "").replace("  net {\n", "  net {\n    fencing resource-only;\n"), (f: ReturnType<typeof drbdResourceFacts>) => f.fencing, "resource-only"],
    ["a discarding split-brain policy", RESOURCE.replace("after-sb-1pri disconnect;", "after-sb-1pri discard-secondary;"), (f: ReturnType<typeof drbdResourceFacts>) => f.afterSplitBrain.onePrimary, "discard-secondary"],
    ["no resource at all", "# nothing\n", (f: ReturnType<typeof drbdResourceFacts>) => f.peers.length, 0],
  ])("%s", (_what, text, pick, expected) => {
    expect(pick(drbdResourceFacts(text))).toBe(expected);
  });
});
