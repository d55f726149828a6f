import { it } from "vitest";
import { findingsOf, stackResources } from "../../test/fixtures/policy-fixture";
import { monitoringCoveragePolicy } from "./monitoring-coverage";
it("probe", async () => {
  console.log(JSON.stringify(await findingsOf(monitoringCoveragePolicy(), await stackResources("prod"))).slice(0, 2000));
}, 300000);
