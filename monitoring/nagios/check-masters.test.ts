import { describe, expect, it } from "vitest";
import { parseStack } from "../../components/spec/load";
import { stackFileName, stackText } from "../../test/fixtures/specs";
import { fixtureTlsEndpoints } from "../../test/fixtures/monitoring-tls-endpoints";
import type { MonitorCheck, MonitoringPlan } from "../plan/types";
import { deriveMonitoringPlan } from "../plan/derive-monitoring-plan";
import { checksByHost, dependentNotificationDelaySeconds, masterOf } from "./check-masters";
import { renderDependencies } from "./render-dependencies";
import { renderServices } from "./render-services";

function planOf(stack: string): MonitoringPlan {
  const { spec, model } = parseStack(stackText(stack), stackFileName(stack), stack);
  return deriveMonitoringPlan(spec, model, fixtureTlsEndpoints(spec, model));
}
const prod = planOf("prod");
const byHost = checksByHost(prod);
const check = (host: string, description: string): MonitorCheck => {
  const found = prod.checks.find((c) => c.host === host && c.description === description);
  if (!found) throw new Error(`prod has no check ${host}/${description}`);
  return found;
};
const master = (host: string, description: string): string | undefined => masterOf(byHost, check(host, description))?.description;

describe("which check depends on which (one failure, one problem)", () => {
  it.each([
    ["db-2", "MariaDB connection", "MariaDB port 3306"],
    ["db-2", "MariaDB replication", "MariaDB connection"],
    ["db-2", "MariaDB read-only", "MariaDB connection"],
    ["api-1", "HTTPS health", "iBac API port 8443"],
    ["api-1", "certificate api-1.ibac.rik.ee port 8443", "iBac API port 8443"],
  ])("%s: %s depends on %s", (host, dependent, expected) => {
    expect(master(host, dependent)).toBe(expected);
  });

  it("a plain port check and an agent check depend on nothing", () => {
    expect(master("db-2", "MariaDB port 3306")).toBeUndefined();
    expect(master("db-2", "load")).toBeUndefined();
  });

  it("renders a dependency per dependent check, inheriting its master's, and delays only the dependents' first notification", () => {
    const deps = renderDependencies(prod);
    expect(deps).toMatch(/host_name\s+db-2\n\s+service_description\s+MariaDB port 3306\n\s+dependent_host_name\s+db-2\n\s+dependent_service_description\s+MariaDB connection\n/);
    expect(deps.match(/inherits_parent\s+1/g)?.length).toBe(deps.match(/define servicedependency/g)?.length);
    // prod: 30 s checks, 10 s retries, 3 attempts: one interval + the 50 s worst case + a retry.
    expect(dependentNotificationDelaySeconds(prod)).toBe(90);
    const services = renderServices(prod);
    const block = (description: string): string => services.split("define service {").find((b) => b.includes("host_name                      db-2") && new RegExp(`service_description\\s+${description}\\n`).test(b)) ?? "";
    expect(block("MariaDB connection")).toMatch(/first_notification_delay\s+90\n/);
    expect(block("MariaDB port 3306")).not.toContain("first_notification_delay");
  });
});
