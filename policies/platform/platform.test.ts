import { describe, expect, it } from "vitest";
import { findingsOf, mutate, mutatePlatform, remove, stackResources } from "../../test/fixtures/policy-fixture";
import { clusterQuorumDevicePolicy } from "./cluster-quorum-device";
import { haCoveragePolicy } from "./ha-coverage";
import { capacityNPlusOnePolicy } from "./capacity-n-plus-one";
import { supportedVersionsPolicy } from "./supported-versions";
import { RESOURCES, isResourceOf } from "../../components/resource-types";

const isCommand = (pattern: RegExp) => (r: { type: string; props: Record<string, unknown> }) => isResourceOf(r, RESOURCES.RemoteCommand) && pattern.test(String(r.props.create));
const onDay = (day: string) => ({ now: () => new Date(`${day}T12:00:00Z`) });

describe("platform policies on the stacks' offline plans (pulumi.runtime.setMocks, not a deployment)", () => {
  it("cluster-quorum-device: prod passes; a two-node stack without the QDevice setup fails", async () => {
    expect(await findingsOf(clusterQuorumDevicePolicy(), await stackResources("prod"))).toEqual([]);
    const findings = await findingsOf(clusterQuorumDevicePolicy(), remove(await stackResources("prod"), isCommand(/corosync-qnetd|pvecm qdevice setup/)));
    expect(findings).toEqual([expect.objectContaining({ subject: "the 2-node cluster's quorum", observed: "no QDevice: no QNetd install and no `pvecm qdevice setup`" })]);
  });

  it("cluster-quorum-device: a setup pointed at another address than the QDevice host fails", async () => {
    const resources = mutate(await stackResources("prod"), isCommand(/pvecm qdevice setup/), (r) => { r.props.create = String(r.props.create).replace(/setup \S+/, "setup 10.20.0.99"); });
    expect(await findingsOf(clusterQuorumDevicePolicy(), resources)).toEqual([expect.objectContaining({ observed: "pvecm qdevice setup 10.20.0.99", expected: "the QDevice host 10.20.0.5" })]);
  });

  it("ha-coverage: prod (VE 9 rules) and lab (VE 8 groups) pass; a VM left out of HA fails", async () => {
    expect(await findingsOf(haCoveragePolicy(), await stackResources("prod"))).toEqual([]);
    expect(await findingsOf(haCoveragePolicy(), await stackResources("lab"))).toEqual([]);
    const resources = mutate(await stackResources("prod"), (r) => isResourceOf(r, RESOURCES.Haresource) && r.props.resourceId === "vm:1100", (r) => { r.props.state = "disabled"; });
    expect(await findingsOf(haCoveragePolicy(), resources)).toEqual([expect.objectContaining({ subject: "db-1's HA", observed: "HA state disabled" })]);
  });

  it("ha-coverage: a VM whose disks are not replicated fails", async () => {
    const resources = remove(await stackResources("prod"), (r) => isResourceOf(r, RESOURCES.Replication) && r.props.resourceId === "1100-0");
    expect(await findingsOf(haCoveragePolicy(), resources)).toEqual([expect.objectContaining({ subject: "db-1's disks", observed: "not replicated" })]);
  });

  it("capacity-n-plus-one: prod passes; a database VM grown so that pve2 cannot take over pve1's VMs fails", async () => {
    expect(await findingsOf(capacityNPlusOnePolicy(), await stackResources("prod"))).toEqual([]);
    // 16 -> 40 GiB: each node still holds its own VMs (76 of 112 GiB), but whichever survives needs 116 (all but
    // the dead node's storage and backup VMs, which HA does not move: each DRBD peer takes its service over).
    const resources = mutate(await stackResources("prod"), (r) => isResourceOf(r, RESOURCES.VmLegacy) && r.props.name === "db-1", (r) => { r.props.memory = { dedicated: 40 * 1024 }; });
    const findings = await findingsOf(capacityNPlusOnePolicy(), resources);
    expect(findings.map((f) => f.expected)).toEqual(["room for every HA VM when any one node fails", "room for every HA VM when any one node fails"]);
    expect(findings[0].observed).toMatch(/^if pve1 fails, pve2 needs 116 GiB of memory/);
    expect(findings[1].observed).toMatch(/^if pve2 fails, pve1 needs 116 GiB of memory/);
  });

  it("supported-versions: prod (VE 9, Debian 12) passes today and in 2027; VE 8 fails after 2026-08", async () => {
    expect(await findingsOf(supportedVersionsPolicy(onDay("2026-11-22")), await stackResources("prod"))).toEqual([]);
    expect(await findingsOf(supportedVersionsPolicy(onDay("2027-06-01")), await stackResources("prod"))).toEqual([]);
    const ve8 = mutatePlatform(await stackResources("prod"), (v) => { v.spec.proxmox.version = 8; });
    expect(await findingsOf(supportedVersionsPolicy(onDay("2026-08-31")), ve8)).toEqual([]);
    expect(await findingsOf(supportedVersionsPolicy(onDay("2026-09-01")), ve8)).toEqual([
      expect.objectContaining({ subject: "Proxmox VE release", observed: "VE 8, end of life 2026-08-31", location: "proxmox.version" }),
    ]);
  });

  it("supported-versions: an end-of-life Debian image (the seed's Debian 10) fails on every node it is downloaded to", async () => {
    const resources = mutate(await stackResources("prod"), (r) => isResourceOf(r, RESOURCES.DownloadFile), (r) => { r.props.fileName = "debian-10-genericcloud-amd64-20240703-1797.qcow2"; });
    const findings = await findingsOf(supportedVersionsPolicy(onDay("2026-11-22")), resources);
    expect(findings.map((f) => f.subject).sort()).toEqual(["Debian image on pve1", "Debian image on pve2"]);
    expect(findings[0].observed).toContain("end of life 2024-06-30");
  });
});
