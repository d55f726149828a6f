import type { PlatformSpec } from "../spec/schema";
import type { FieldProblem } from "../spec/errors";

/** The load balancer's meaning checks: what the schema cannot say about `loadBalancer`. */
export function loadBalancerProblems(spec: PlatformSpec): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const check = spec.loadBalancer.healthCheck;
  if (check.timeoutMs > check.intervalMs) {
    problems.push({
      path: ["loadBalancer", "healthCheck", "timeoutMs"],
      detail: `expected at most intervalMs (${check.intervalMs}): a check that outlives its interval delays the next one and the time to mark an instance down, found ${check.timeoutMs}`,
    });
  }
  if (spec.loadBalancer.count < 2) {
    problems.push({
      path: ["loadBalancer", "count"],
      detail: `expected 2 or more (the API's address needs a second load balancer to move to), found ${spec.loadBalancer.count}`,
    });
  }
  return problems;
}
