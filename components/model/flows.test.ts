import { describe, expect, it } from "vitest";
import { deriveFlows } from "./flows";
import { backupClientTiers, TIERS } from "../tiers/registry";
import type { Flow, FlowEndpoint } from "./types";
import { TIER_NAMES, type TierName } from "../spec/schema";
import { stackSpec } from "../../test/fixtures/specs";

const spec = stackSpec("prod");
const flows = deriveFlows(spec);
const isTier = (e: FlowEndpoint, tier: TierName): boolean => e.kind === "tier" && e.tier === tier;
const validPort = (text: string): boolean => /^[1-9][0-9]*$/.test(text) && Number(text) <= 65535;

describe("deriveFlows", () => {
  it("gives every flow a unique id in kebab case", () => {
    const ids = flows.map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it("gives every flow valid ports: a port, an ascending range, or none for protocols without ports", () => {
    for (const flow of flows) {
      if (flow.protocol === "vrrp" || flow.protocol === "esp") {
        expect(flow.ports, flow.id).toBe("");
        continue;
      }
      const [from, to, ...rest] = flow.ports.split(":");
      expect(rest, flow.id).toEqual([]);
      expect(validPort(from), `${flow.id}: ${flow.ports}`).toBe(true);
      if (to !== undefined) {
        expect(validPort(to), `${flow.id}: ${flow.ports}`).toBe(true);
        expect(Number(to), flow.id).toBeGreaterThan(Number(from));
      }
    }
  });

  it("gives every flow a purpose", () => {
    for (const flow of flows) expect(flow.purpose.length, flow.id).toBeGreaterThan(10);
  });

  it.each(TIER_NAMES)("monitoring reaches the %s tier (agent check, and service check where it serves one)", (tier) => {
    const toTier = flows.filter((f) => isTier(f.source, "monitoring") && isTier(f.destination, tier));
    expect(toTier.map((f) => f.ports)).toContain("5666");
    const service = TIERS[tier].servicePort?.(spec);
    if (service) expect(toTier.map((f) => f.ports)).toContain(service.port);
  });

  it.each(TIER_NAMES)("the %s tier is administered over SSH from the admin network and syncs time", (tier) => {
    const ssh = flows.find((f) => f.source.kind === "zone" && f.source.zone === "admin" && isTier(f.destination, tier));
    expect(ssh).toMatchObject({ protocol: "tcp", ports: "22" });
    const ntp = flows.find((f) => isTier(f.source, tier) && f.destination.kind === "zone" && f.destination.zone === "ntp");
    expect(ntp).toMatchObject({ protocol: "udp", ports: "123" });
  });

  it.each(backupClientTiers())("the Bacula director reaches the %s file daemon, which sends to the storage daemon", (tier) => {
    expect(flows.some((f) => isTier(f.source, "backup") && isTier(f.destination, tier) && f.ports === "9102")).toBe(true);
    expect(flows.some((f) => isTier(f.source, tier) && isTier(f.destination, "backup") && f.ports === "9103")).toBe(true);
  });

  it("follows the spec: the mail relay's port and the NAS address", () => {
    const changed = stackSpec("prod");
    changed.notifications.smtpRelay.port = 587;
    changed.backupPolicy.offsite.nasAddress = "10.20.9.77";
    const byId = new Map<string, Flow>(deriveFlows(changed).map((f) => [f.id, f]));
    expect(byId.get("monitoring-to-smtp-relay")?.ports).toBe("587");
    expect(byId.get("backup-to-offsite-nas")?.purpose).toContain("10.20.9.77");
  });

  it("replication runs from the database replicas to the primary", () => {
    expect(flows.find((f) => f.id === "replica-to-primary-mysql")).toMatchObject({
      source: { kind: "tier", tier: "database", role: "replica" },
      destination: { kind: "tier", tier: "database", role: "primary" },
      protocol: "tcp",
      ports: "3306",
    });
  });

  it("is deterministic", () => {
    expect(deriveFlows(stackSpec("prod"))).toEqual(flows);
  });
});
