import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { parseStack } from "../spec/load";
import { InputError } from "../input/input-error";
import { stackText } from "../../test/fixtures/specs";

// The object store's meaning checks through the real loader, from the prod stack with one thing changed.
const FILE = "stacks/Pulumi.prod.yaml";
const prod = stackText("prod");

function withField(fieldPath: (string | number)[], value: unknown): string {
  const doc = parseDocument(prod);
  doc.setIn(["config", "ibac:platform", "objectStore", ...fieldPath], value);
  return doc.toString();
}

function withoutField(fieldPath: (string | number)[]): string {
  const doc = parseDocument(prod);
  expect(doc.deleteIn(["config", "ibac:platform", "objectStore", ...fieldPath])).toBe(true);
  return doc.toString();
}

function rejection(text: string): string {
  try {
    parseStack(text, FILE, "prod");
  } catch (err) {
    if (err instanceof InputError) return err.message;
    throw err;
  }
  throw new Error("expected an InputError, but the stack loaded");
}

const at = (field: string, detail: string): string => `${FILE}: ibac:platform.objectStore.${field}: ${detail}`;

describe("objectStore: every field held to its meaning", () => {
  it("prod, staging and lab load with their object store", () => {
    for (const stack of ["prod", "staging", "lab"]) {
      expect(parseStack(stackText(stack), `stacks/Pulumi.${stack}.yaml`, stack).model.objectStore.drbd.peers.map((p) => p.vm)).toEqual(["s3-1", "s3-2"]);
    }
  });

  it("runs on exactly the two DRBD peers", () => {
    expect(rejection(withField(["count"], 3))).toContain(
      at("count", "expected 2 (DRBD 8.4 replicates the MinIO volume between two peers; a larger store is distributed MinIO, which this toolkit does not build), found 3"),
    );
  });

  it.each([
    ["192.168.1.1", "a bucket name must not look like an IP address"],
    ["ibac..photos", "a bucket name must not hold two adjacent periods"],
    ["ibac.-photos", "a bucket name must not hold a period next to a hyphen"],
    ["xn--photos", "a bucket name must not start with xn-- (reserved for internationalised names)"],
    ["photos-s3alias", "a bucket name must not end with -s3alias or --ol-s3 (reserved for access points)"],
  ])("refuses the bucket name %s", (name, why) => {
    expect(rejection(withField(["buckets", 0, "name"], name))).toContain(at("buckets[0].name", `expected an S3 bucket name, found "${name}": ${why}`));
  });

  it("refuses a bucket name or purpose used twice, and a purpose without a bucket", () => {
    expect(rejection(withField(["buckets", 1, "name"], "ibac-photos"))).toContain(at("buckets[1].name", 'expected a bucket name used once, found "ibac-photos" again (first at objectStore.buckets[0])'));
    const text = rejection(withField(["buckets", 1, "purpose"], "photos"));
    expect(text).toContain(at("buckets[1].purpose", "expected one bucket per purpose, found photos again (first at objectStore.buckets[0])"));
    expect(text).toContain(at("buckets", "expected a bucket for each purpose (photos, frsArchive, logs, audit), found none for frsArchive"));
  });

  it("requires Object Lock where the data must not be altered, and lifecycle rules that the lock allows", () => {
    expect(rejection(withoutField(["buckets", 3, "objectLock"]))).toContain(at("buckets[3].objectLock", "expected Object Lock on the audit bucket (its objects must not be altered once written), found none"));
    expect(rejection(withField(["buckets", 2, "noncurrentExpireAfterDays"], 30))).toContain(
      at("buckets[2].noncurrentExpireAfterDays", "expected at least objectLock.days (365): a lifecycle rule cannot remove a version that is still locked, found 30"),
    );
    expect(rejection(withoutField(["buckets", 2, "noncurrentExpireAfterDays"]))).toContain(
      at("buckets[2].noncurrentExpireAfterDays", "expected it beside expireAfterDays: with versioning on, an expired object only becomes noncurrent and stays stored until this rule deletes it, found none"),
    );
  });

  it("needs the BMC of every node a storage VM may run on, out of band and once each", () => {
    expect(rejection(withField(["fencing", "ipmi", 1, "node"], "pve9"))).toContain(at("fencing.ipmi[1].node", 'expected one of the Proxmox nodes (pve1, pve2), found "pve9"'));
    expect(rejection(withField(["fencing", "ipmi", 1, "node"], "pve1"))).toContain(at("fencing.ipmi[1].node", "expected one BMC per node, found pve1 again (first at objectStore.fencing.ipmi[0])"));
    expect(rejection(withField(["fencing", "ipmi", 1, "node"], "pve1"))).toContain(at("fencing.ipmi", "expected the BMC of every node a storage VM may run on, found none for pve2"));
    expect(rejection(withField(["fencing", "ipmi", 0, "address"], "10.20.0.11"))).toContain(
      at("fencing.ipmi[0].address", "expected the BMC's own address (out-of-band), found 10.20.0.11, the node's management address: a dead node takes it down with it"),
    );
  });

  it("replicates to a third location outside the platform, bucket by bucket", () => {
    expect(rejection(withField(["replication", "endpoint"], "https://s3.dr.example.org:9000"))).toContain(
      at("replication.address", "expected the third site's IPv4 address (the firewall opens the flow to it, and the endpoint names a host, s3.dr.example.org), found none"),
    );
    expect(rejection(withField(["replication", "endpoint"], "https://10.20.2.50:9000"))).toContain(
      at("replication.endpoint", "expected an address outside the platform's networks (the third location is another site), found 10.20.2.50, inside networks.service (10.20.2.0/24)"),
    );
    expect(rejection(withField(["replication", "buckets", 0, "source"], "ibac-photo"))).toContain(
      at("replication.buckets[0].source", 'expected one of the buckets (ibac-photos, ibac-frs-archive, ibac-logs, ibac-audit), found "ibac-photo"'),
    );
    expect(rejection(withField(["replication", "buckets", 1, "source"], "ibac-photos"))).toContain(
      at("replication.buckets[1].source", "expected each bucket replicated once, found ibac-photos again (first at objectStore.replication.buckets[0])"),
    );
  });

  it("pins the MinIO binary by digest and release name", () => {
    expect(rejection(withField(["minio", "sha256"], "latest"))).toBe(at("minio.sha256", 'expected the binary\'s hex SHA-256 digest, found "latest"'));
    expect(rejection(withField(["minio", "release"], "latest"))).toBe(at("minio.release", 'expected the MinIO release the binary is, such as RELEASE.2025-09-07T16-13-09Z, found "latest"'));
  });
});
