import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { parseStack } from "../spec/load";
import { prodWithField, stackFileName, stackRejection, stackText, STACKS } from "../../test/fixtures/specs";
import { monitoringProblems } from "./spec-checks";

// The monitoring tier's meaning checks through the real loader, from the prod stack with one thing changed:
// the exact message, the file and the field path.
const FILE = "stacks/Pulumi.prod.yaml";
const at = (field: string, detail: string): string => `${FILE}: ibac:platform.${field}: ${detail}`;
const rejection = stackRejection;
const withField = prodWithField;

/** The prod stack with several fields set at once. */
function prodWithFields(fields: [string[], unknown][]): string {
  const doc = parseDocument(stackText("prod"));
  for (const [field, value] of fields) doc.setIn(["config", "ibac:platform", ...field], value);
  return doc.toString();
}

const notifications = (extra: Record<string, unknown>): string => {
  const { spec } = parseStack(stackText("prod"), FILE, "prod");
  return withField(["notifications"], { ...spec.notifications, ...extra });
};

describe("monitoring: timing, redundancy and escalations held to their meaning", () => {
  it.each(STACKS)("%s passes", (stack) => {
    const { spec } = parseStack(stackText(stack), stackFileName(stack), stack);
    expect(monitoringProblems(spec)).toEqual([]);
  });

  it("refuses a retry interval longer than the check interval", () => {
    expect(rejection(withField(["monitoring", "checks"], { intervalSeconds: 30, retryIntervalSeconds: 31, attempts: 3 }))).toEqual([
      at("monitoring.checks.retryIntervalSeconds", "expected at most intervalSeconds (30): a failing check is retried to confirm a problem sooner than the next regular check, found 31"),
    ]);
  });

  it("takes a retry interval equal to the check interval", () => {
    const { spec } = parseStack(withField(["monitoring", "checks"], { intervalSeconds: 30, retryIntervalSeconds: 30, attempts: 3 }), FILE, "prod");
    expect(spec.monitoring.checks.retryIntervalSeconds).toBe(30);
  });

  it.each([[14, 14], [14, 20]])("refuses certificate expiry warnDays %i with criticalDays %i", (warnDays, criticalDays) => {
    expect(rejection(withField(["monitoring", "certificateExpiry"], { warnDays, criticalDays }))).toEqual([
      at("monitoring.certificateExpiry.criticalDays", `expected fewer days than warnDays (${warnDays}): a certificate's check warns before it turns critical, found ${criticalDays}`),
    ]);
  });

  it.each([1, 3])("refuses %i monitoring VMs for engine nagios4", (count) => {
    expect(rejection(withField(["monitoring", "count"], count))).toEqual([
      at("monitoring.count", `expected 2 for engine nagios4 (one active engine that notifies and one standby that takes over when it is down), found ${count}`),
    ]);
  });

  it("refuses one monitoring VM for engine shinken, and takes two (prod has two nodes: a third would share one)", () => {
    expect(rejection(prodWithFields([[["monitoring", "engine"], "shinken"], [["monitoring", "count"], 1]]))).toEqual([
      at("monitoring.count", "expected 2 or more for engine shinken (the second VM runs the spare daemons), found 1"),
    ]);
    const { spec } = parseStack(prodWithFields([[["monitoring", "engine"], "shinken"], [["monitoring", "count"], 2]]), FILE, "prod");
    expect(spec.monitoring).toMatchObject({ engine: "shinken", count: 2 });
  });

  it("refuses escalations when a problem notifies only once", () => {
    expect(rejection(notifications({ repeatMinutes: 0, escalations: [{ afterMinutes: 30, email: ["duty@rik.ee"] }] }))).toEqual([
      at("notifications.repeatMinutes", "expected more than 0 with escalations (Nagios escalates by notification number: a problem that notifies once never reaches escalations[0]), found 0"),
    ]);
  });

  it("takes a single notification without escalations, and escalations with the default repeat", () => {
    expect(parseStack(notifications({ repeatMinutes: 0 }), FILE, "prod").spec.notifications.repeatMinutes).toBe(0);
    expect(parseStack(notifications({ escalations: [{ afterMinutes: 30, email: ["duty@rik.ee"] }] }), FILE, "prod").spec.notifications.escalations).toHaveLength(1);
  });

  it("refuses escalations that do not come strictly later, one problem per offending entry", () => {
    const escalations = [30, 30, 120, 90].map((afterMinutes, i) => ({ afterMinutes, email: [`level${i}@rik.ee`] }));
    expect(rejection(notifications({ escalations }))).toEqual([
      at("notifications.escalations[1].afterMinutes", "expected more than escalations[0].afterMinutes (30): each escalation comes later than the one before, found 30"),
      at("notifications.escalations[3].afterMinutes", "expected more than escalations[2].afterMinutes (120): each escalation comes later than the one before, found 90"),
    ]);
  });
});
