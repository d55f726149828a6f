import type { PlatformSpec } from "../spec/schema";
import type { FieldProblem } from "../spec/errors";

/** How many monitoring VMs each engine's redundancy takes: nagios4's exactly, Shinken's at least. */
export const MONITORING_VM_COUNT = { nagios4: 2, shinken: 2 } as const;

/**
 * The monitoring tier's and the notifications' meaning checks: what the schema cannot say about
 * `monitoring` and `notifications`.
 */
export function monitoringProblems(spec: PlatformSpec): FieldProblem[] {
  return [...timingProblems(spec), ...redundancyProblems(spec), ...escalationProblems(spec)];
}

function timingProblems(spec: PlatformSpec): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const { intervalSeconds, retryIntervalSeconds } = spec.monitoring.checks;
  if (retryIntervalSeconds > intervalSeconds) {
    problems.push({
      path: ["monitoring", "checks", "retryIntervalSeconds"],
      detail: `expected at most intervalSeconds (${intervalSeconds}): a failing check is retried to confirm a problem sooner than the next regular check, found ${retryIntervalSeconds}`,
    });
  }
  const expiry = spec.monitoring.certificateExpiry;
  if (expiry && expiry.criticalDays >= expiry.warnDays) {
    problems.push({
      path: ["monitoring", "certificateExpiry", "criticalDays"],
      detail: `expected fewer days than warnDays (${expiry.warnDays}): a certificate's check warns before it turns critical, found ${expiry.criticalDays}`,
    });
  }
  return problems;
}

function redundancyProblems(spec: PlatformSpec): FieldProblem[] {
  const { engine, count } = spec.monitoring;
  if (engine === "nagios4" && count !== MONITORING_VM_COUNT.nagios4) {
    return [{
      path: ["monitoring", "count"],
      detail: `expected ${MONITORING_VM_COUNT.nagios4} for engine nagios4 (one active engine that notifies and one standby that takes over when it is down), found ${count}`,
    }];
  }
  if (engine === "shinken" && count < MONITORING_VM_COUNT.shinken) {
    return [{
      path: ["monitoring", "count"],
      detail: `expected ${MONITORING_VM_COUNT.shinken} or more for engine shinken (the second VM runs the spare daemons), found ${count}`,
    }];
  }
  return [];
}

/**
 * Nagios escalates by notification number (first_notification = afterMinutes / repeatMinutes + 1): a problem
 * that notifies once never reaches its escalations, and escalations out of order would page the later
 * contacts first.
 */
function escalationProblems(spec: PlatformSpec): FieldProblem[] {
  const escalations = spec.notifications.escalations ?? [];
  if (!escalations.length) return [];
  const problems: FieldProblem[] = [];
  if (spec.notifications.repeatMinutes === 0) {
    problems.push({
      path: ["notifications", "repeatMinutes"],
      detail: `expected more than 0 with escalations (Nagios escalates by notification number: a problem that notifies once never reaches escalations[0]), found 0`,
    });
  }
  escalations.forEach((e, i) => {
    if (i === 0) return;
    const previous = escalations[i - 1].afterMinutes;
    if (e.afterMinutes <= previous) {
      problems.push({
        path: ["notifications", "escalations", i, "afterMinutes"],
        detail: `expected more than escalations[${i - 1}].afterMinutes (${previous}): each escalation comes later than the one before, found ${e.afterMinutes}`,
      });
    }
  });
  return problems;
}
