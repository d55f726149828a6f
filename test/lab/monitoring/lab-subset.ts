import type { MonitorCheck, MonitoringPlan } from "../../../monitoring/plan/types";

// The one place where the lab cuts the stack's monitoring plan down to what it runs: the plan (derived from the
// whole lab stack) renders every host; the lab has namespaces for some of them and serves some of their checks.
// The subset keeps the plan's own hosts, checks, agents and servers (nothing is added or rewritten), so the
// engine and agent renderers run unchanged on it:
// - hosts: those named in `hosts`; parents that are not in the lab are dropped (their children are then
//   reached directly, as the lab's monitoring VMs are on the core switch);
// - checks: of those hosts, and among them only those `serves` says the lab answers (a check of a service the
//   lab does not run, or one that reads the lab machine's own load, disks or updates, would be a standing
//   problem that notifies and hides what a test counts);
// - agents: of those hosts, with the commands their kept NRPE checks call;
// - servers: the monitoring VMs among those hosts.

export function labSubset(plan: MonitoringPlan, hosts: readonly string[], serves: (check: MonitorCheck) => boolean): MonitoringPlan {
  const keep = new Set(hosts);
  const missing = hosts.filter((h) => !plan.hosts.some((p) => p.name === h));
  if (missing.length) throw new Error(`lab subset: the plan has no host ${missing.join(", ")}`);
  const checks = plan.checks.filter((c) => keep.has(c.host) && serves(c));
  const agentCommands = new Set(checks.flatMap((c) => (c.command.kind === "nrpe" ? [`${c.host}\0${c.command.agentCommand}`] : [])));
  const servers = plan.servers.filter((s) => keep.has(s.vm));
  if (!servers.length) throw new Error("lab subset: no monitoring VM among the lab's hosts");
  return {
    ...plan,
    servers,
    hosts: plan.hosts.filter((h) => keep.has(h.name)).map((h) => ({ ...h, parents: h.parents.filter((p) => keep.has(p)) })),
    checks,
    agents: plan.agents
      .filter((a) => keep.has(a.host))
      .map((a) => ({ ...a, commands: a.commands.filter((c) => agentCommands.has(`${a.host}\0${c.name}`)) })),
  };
}
