import { describe, expect, it } from "vitest";
import { parseStack, type LoadedStack } from "../../components/spec/load";
import { flowSlug } from "../../components/model/flow-endpoints";
import { tierDefinition } from "../../components/tiers/registry";
import { replicationSettings } from "../../components/database/settings";
import { deriveBackupClusterPlan } from "../../components/backup/cluster-plan";
import { backupPlanOf } from "../../components/backup/plan";
import { planApplicationService } from "../../components/app-service/service-plan";
import { SITE_CONNECTION } from "../../components/network/vpn/render-swanctl";
import { tlsFiles, PRODUCTION_DATABASE_PATHS } from "../../components/database/paths";
import { PRODUCTION_BACULA_PATHS, tlsFilesFor } from "../../backup/bacula/paths";
import { prodWithField, stackFileName, stackText, STACKS } from "../../test/fixtures/specs";
import { generateStackText } from "../../test/fixtures/generate-stack";
import { fixtureTlsEndpoints } from "../../test/fixtures/monitoring-tls-endpoints";
import { AGENT_SCRIPTS, monitoringPathsUnder, PRODUCTION_MONITORING_PATHS } from "../paths";
import { deriveMonitoringPlan } from "./derive-monitoring-plan";
import { checkKind, DESCRIPTION_PATTERN } from "./description";
import { AGENT_COMMAND_NAME } from "./agent-commands";
import { MINIO_HEALTH_PATH } from "./cluster-checks";
import { SHINKEN_DAEMON_PORTS } from "./engine-plan";
import type { CheckCommand, MonitorCheck, MonitoringPlan } from "./types";

// The monitoring plan from the real stacks (and the generated 64-node one), no mocks: what each host gets is
// compared with what the model says it is, so a tier, VM or flow added to the model shows here.

const loaded = (stack: string): LoadedStack => parseStack(stackText(stack), stackFileName(stack), stack);
const STACK_ROWS: [string, () => LoadedStack][] = [
  ...STACKS.map((s): [string, () => LoadedStack] => [s, () => loaded(s)]),
  ["gen64", () => parseStack(generateStackText(64), "stacks/Pulumi.gen64.yaml", "gen64")],
];
const planOf = ({ spec, model }: LoadedStack): MonitoringPlan => deriveMonitoringPlan(spec, model, fixtureTlsEndpoints(spec, model));
const prod = loaded("prod");
const prodPlan = planOf(prod);
const withProdField = (field: (string | number)[], value: unknown): LoadedStack => parseStack(prodWithField(field, value), stackFileName("prod"), "prod");

const checksOn = (plan: MonitoringPlan, host: string): MonitorCheck[] => plan.checks.filter((c) => c.host === host);
const checkNamed = (plan: MonitoringPlan, host: string, description: string): MonitorCheck => {
  const check = plan.checks.find((c) => c.host === host && c.description === description);
  if (!check) throw new Error(`no check "${description}" on ${host}; it has: ${checksOn(plan, host).map((c) => c.description).join(", ")}`);
  return check;
};
const agentCommand = (plan: MonitoringPlan, check: MonitorCheck) => {
  if (check.command.kind !== "nrpe") throw new Error(`${check.description} is not an NRPE check`);
  const name = check.command.agentCommand;
  const command = plan.agents.find((a) => a.host === check.host)?.commands.find((c) => c.name === name);
  if (!command) throw new Error(`the agent of ${check.host} has no command ${name}`);
  return command;
};
const SERVER_LAYER = ["load", "memory", "disk", "time sync", "security updates"];

describe.each(STACK_ROWS)("monitoring plan of %s", (_name, load) => {
  const stack = load();
  const { model } = stack;
  const plan = planOf(stack);
  const tierVms = (tier: string) => model.vms.filter((v) => v.tier === tier);

  it("has a host for every node, the QDevice, every VM and every virtual address, parented as the design says", () => {
    const vips = Object.keys(model.virtualIps);
    expect(plan.hosts).toHaveLength(model.nodes.length + (model.qdevice ? 1 : 0) + model.vms.length + vips.length);
    for (const node of model.nodes) expect(plan.hosts).toContainEqual({ name: node.name, kind: "node", address: node.managementAddress, hostgroup: "proxmox-nodes", parents: [], agent: true });
    if (model.qdevice) expect(plan.hosts).toContainEqual({ name: model.qdevice.name, kind: "qdevice", address: model.qdevice.address, hostgroup: "qdevice", parents: [], agent: true });
    for (const vm of model.vms) {
      const address = vm.nics.find((n) => n.network === "service")?.address;
      expect(plan.hosts).toContainEqual({ name: vm.name, kind: "vm", address, tier: vm.tier, hostgroup: `tier-${flowSlug(vm.tier)}`, parents: [vm.node], node: vm.node, agent: true });
    }
    for (const tier of new Set(model.vms.map((v) => v.tier))) {
      for (const v of tierDefinition(tier).virtualAddresses) {
        expect(plan.hosts).toContainEqual({ name: `vip-${v.name}`, kind: "virtual-address", address: model.virtualIps[v.name], tier, hostgroup: `tier-${flowSlug(tier)}`, parents: tierVms(tier).map((vm) => vm.name), agent: false });
      }
    }
  });

  it("gives every host with an agent the server layer (a node also its API and quorum), a virtual address none", () => {
    for (const host of plan.hosts) {
      const server = checksOn(plan, host.name).filter((c) => c.layer === "server").map((c) => c.description);
      if (!host.agent) expect(server, host.name).toEqual([]);
      else expect(server, host.name).toEqual(host.kind === "node" ? [...SERVER_LAYER, "Proxmox API", "quorum"] : SERVER_LAYER);
    }
    expect(plan.checks.filter((c) => c.layer === "server")).toHaveLength(5 * plan.hosts.filter((h) => h.agent).length + 2 * model.nodes.length);
  });

  it("names few kinds of check however many hosts: the descriptions that name an instance fold into their kind", () => {
    const kinds = [...new Set(plan.checks.map((c) => checkKind(c.description)))];
    expect(kinds.sort()).toEqual([
      ...SERVER_LAYER, "Bacula job", "DRBD", "HAProxy backends", "HTTPS health", "IPsec", "MariaDB connection", "MariaDB read-only", "MariaDB replication",
      "MinIO health", "Pacemaker", "Proxmox API", "VRRP", "certificate", "monitoring engine", "quorum", "service port",
    ].sort());
  });

  it("describes each check once per host, in [A-Za-z0-9 ._-] only", () => {
    const keys = plan.checks.map((c) => `${c.host}/${c.description}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const c of plan.checks) expect(c.description, `${c.host}: ${c.description}`).toMatch(DESCRIPTION_PATTERN);
  });

  it("has one agent per host with an agent, answering only the monitoring VMs, with exactly the commands its checks use", () => {
    const monitoringAddresses = tierVms("monitoring").map((vm) => vm.nics[0].address);
    expect(plan.agents.map((a) => a.host)).toEqual(plan.hosts.filter((h) => h.agent).map((h) => h.name));
    for (const agent of plan.agents) {
      const host = plan.hosts.find((h) => h.name === agent.host);
      expect(agent).toMatchObject({ address: host?.address, port: 5666, allowedFrom: monitoringAddresses, tlsName: `${agent.host}.${model.site.domain}` });
      const used = new Set(checksOn(plan, agent.host).flatMap((c) => (c.command.kind === "nrpe" ? [c.command.agentCommand] : [])));
      expect(new Set(agent.commands.map((c) => c.name))).toEqual(used);
      for (const command of agent.commands) {
        expect(command.argv[0], command.name).toMatch(/^\/[^ ]+$/);
        expect(command.name).toMatch(AGENT_COMMAND_NAME);
      }
    }
  });

  it("runs the servers first active, then standby; Shinken's daemons on each (the first VM's masters), none for nagios4", () => {
    expect(plan.servers.map((s) => [s.vm, s.role])).toEqual(tierVms("monitoring").map((vm, i) => [vm.name, i === 0 ? "active" : "standby"]));
    expect(plan.engine).toBe(stack.spec.monitoring.engine);
    if (plan.engine === "nagios4") expect(plan.shinkenDaemons).toEqual([]);
    else {
      expect(plan.shinkenDaemons).toHaveLength(6 * plan.servers.length);
      expect(plan.shinkenDaemons.filter((d) => !d.spare).map((d) => d.vm)).toEqual(Array(6).fill(plan.servers[0].vm));
    }
  });

  it("checks the protocols of every tier on every VM that serves them", () => {
    const has = (vm: string, description: string): boolean => plan.checks.some((c) => c.host === vm && c.description === description);
    for (const vm of tierVms("database")) {
      expect(has(vm.name, "MariaDB connection")).toBe(true);
      expect(has(vm.name, "MariaDB replication")).toBe(vm.role === "replica");
      expect(has(vm.name, "MariaDB read-only")).toBe(vm.role === "replica");
      expect(has(vm.name, "VRRP databasePrimary")).toBe(true);
    }
    for (const vm of tierVms("loadBalancer")) for (const d of ["HAProxy backends", "VRRP loadBalancer"]) expect(has(vm.name, d)).toBe(true);
    for (const vm of tierVms("objectStore")) for (const d of [`DRBD ${model.objectStore.drbd.name}`, "Pacemaker"]) expect(has(vm.name, d)).toBe(true);
    const backupResource = deriveBackupClusterPlan(stack.spec, model).drbd.name;
    const clients = backupPlanOf(stack.spec, model).clients.map((c) => c.name);
    for (const vm of tierVms("backup")) {
      for (const d of [`DRBD ${backupResource}`, "Pacemaker", ...clients.map((c) => `Bacula job ${c}`)]) expect(has(vm.name, d), `${vm.name}: ${d}`).toBe(true);
    }
    for (const vm of [...tierVms("api"), ...tierVms("frs")]) expect(has(vm.name, "HTTPS health")).toBe(true);
    for (const vm of tierVms("monitoring")) expect(has(vm.name, "monitoring engine")).toBe(true);
    expect(tierVms("vpn").filter((vm) => has(vm.name, `IPsec ${SITE_CONNECTION}`)).map((vm) => vm.index)).toEqual([0]);
    expect(has("vip-databasePrimary", "MariaDB read-only")).toBe(true);
    expect(has("vip-objectStore", "MinIO health")).toBe(true);
  });
});

describe("monitoring plan: what each check runs (prod)", () => {
  it("checks replication lag against database.replication.maxLagSeconds (critical) and half of it (warning)", () => {
    const lag = (plan: MonitoringPlan): CheckCommand => checkNamed(plan, "db-2", "MariaDB replication").command;
    const defaults = replicationSettings(prod.spec).maxLagSeconds;
    expect(lag(prodPlan)).toEqual({ kind: "mysql", port: 3306, check: "replication", warnLagSeconds: Math.floor(defaults / 2), criticalLagSeconds: defaults });
    expect(lag(planOf(withProdField(["database", "replication", "maxLagSeconds"], 90)))).toEqual({ kind: "mysql", port: 3306, check: "replication", warnLagSeconds: 45, criticalLagSeconds: 90 });
  });

  it("expects read_only on on the replicas and off at the databasePrimary address", () => {
    expect(checkNamed(prodPlan, "db-2", "MariaDB read-only").command).toEqual({ kind: "mysql", port: 3306, check: "read-only", expected: true });
    expect(checkNamed(prodPlan, "vip-databasePrimary", "MariaDB read-only").command).toEqual({ kind: "mysql", port: 3306, check: "read-only", expected: false });
  });

  it("asks keepalived for the instances the tiers render, HAProxy through its stats socket", () => {
    const script = (name: string) => `${PRODUCTION_MONITORING_PATHS.agent.scriptDir}/${name}`;
    expect(agentCommand(prodPlan, checkNamed(prodPlan, "lb-1", "VRRP loadBalancer")).argv).toEqual([script(AGENT_SCRIPTS.vrrp), "ibac_loadBalancer"]);
    expect(agentCommand(prodPlan, checkNamed(prodPlan, "db-1", "VRRP databasePrimary")).argv).toEqual([script(AGENT_SCRIPTS.vrrp), "ibac_databasePrimary"]);
    expect(agentCommand(prodPlan, checkNamed(prodPlan, "lb-2", "HAProxy backends")).argv).toEqual([script(AGENT_SCRIPTS.haproxy), "/run/haproxy/stats.sock"]);
    expect(agentCommand(prodPlan, checkNamed(prodPlan, "s3-1", "DRBD ibac-s3"))).toMatchObject({ name: "ibac_drbd_ibac_s3", argv: [script(AGENT_SCRIPTS.drbd), "ibac-s3"], asRoot: true });
    expect(checkNamed(prodPlan, "lb-1", "VRRP loadBalancer").command).toEqual({ kind: "nrpe", agentCommand: "ibac_vrrp_loadbalancer" });
    expect(checkNamed(prodPlan, "bkp-2", "Bacula job db-1-fd").command).toEqual({ kind: "nrpe", agentCommand: "ibac_bacula_db_1_fd" });
  });

  it("asks MinIO's liveness probe through the S3 front on the object store's address", () => {
    const service = prod.model.objectStore.service;
    expect(checkNamed(prodPlan, "vip-objectStore", "MinIO health")).toMatchObject({
      command: { kind: "https", port: service.port, serverName: service.serverName, path: MINIO_HEALTH_PATH, expect: "200" },
      flowId: "monitoring-to-object-store-service",
    });
  });

  it("asks each application instance its health path over HTTPS, the name verified against its fqdn", () => {
    for (const tier of ["api", "frs"] as const) {
      const app = planApplicationService(prod.model, prod.spec, tier);
      for (const i of app.instances) {
        expect(checkNamed(prodPlan, i.vm, "HTTPS health").command).toEqual({ kind: "https", port: app.port, serverName: i.fqdn, path: app.healthPath, expect: "200", expiry: { warnDays: 30, criticalDays: 14 } });
      }
    }
  });

  it("gives Bacula's job checks the longest gap of the client's schedule plus an hour", () => {
    const hours = (plan: MonitoringPlan, client: string): string | undefined => agentCommand(plan, checkNamed(plan, "bkp-1", `Bacula job ${client}`)).argv[3];
    // Hourly incrementals (prod), the photos' hourly rotation, the config's daily job.
    expect(prod.spec.backupPolicy.database.incrementalEveryHours).toBe(1);
    expect([hours(prodPlan, "db-1-fd"), hours(prodPlan, "frs-2-fd"), hours(prodPlan, "s3-fd"), hours(prodPlan, "backup-fd")]).toEqual(["2", "2", "2", "25"]);
    const sixHourly = planOf(withProdField(["backupPolicy", "database", "incrementalEveryHours"], 6));
    expect(hours(sixHourly, "db-2-fd")).toBe("7");
    expect(agentCommand(prodPlan, checkNamed(prodPlan, "bkp-2", "Bacula job s3-fd")).argv.slice(1, 3)).toEqual([backupPlanOf(prod.spec, prod.model).director.catalogFile, "s3-fd"]);
  });

  it("checks every TLS endpoint's certificate: a handshake on a direct-TLS port, the file for MariaDB and Bacula", () => {
    const endpoints = fixtureTlsEndpoints(prod.spec, prod.model);
    const file = (host: string, label: string) => agentCommand(prodPlan, checkNamed(prodPlan, host, `certificate ${label}`)).argv.slice(1);
    for (const e of endpoints) {
      if (e.port === 3306) expect(file(e.vm, "MariaDB")).toEqual([tlsFiles(PRODUCTION_DATABASE_PATHS).cert, "30", "14"]);
      else if (e.port === 9101) for (const vm of ["bkp-1", "bkp-2"]) expect(file(vm, "Bacula director")).toEqual([tlsFilesFor(PRODUCTION_BACULA_PATHS, "director").certificate, "30", "14"]);
      else if (e.port === 9103) for (const vm of ["bkp-1", "bkp-2"]) expect(file(vm, "Bacula storage daemon")).toEqual([tlsFilesFor(PRODUCTION_BACULA_PATHS, "storage").certificate, "30", "14"]);
      else if (e.port === 9102) expect(file(e.vm, "Bacula file daemon")).toEqual([tlsFilesFor(PRODUCTION_BACULA_PATHS, "fileDaemon").certificate, "30", "14"]);
      else {
        const vip = Object.entries(prod.model.virtualIps).find(([, a]) => a === e.address)?.[0];
        const check = checkNamed(prodPlan, vip ? `vip-${vip}` : e.vm, `certificate ${e.serverName} port ${e.port}`);
        expect(check.command).toEqual({ kind: "tcp", port: e.port, tls: { serverName: e.serverName, expiry: { warnDays: 30, criticalDays: 14 } } });
      }
    }
    // Both object-store VMs run s3-fd, so both hold its certificate.
    expect(file("s3-2", "Bacula file daemon")).toEqual([tlsFilesFor(PRODUCTION_BACULA_PATHS, "fileDaemon").certificate, "30", "14"]);
    const stricter = planOf(withProdField(["monitoring", "certificateExpiry"], { warnDays: 45, criticalDays: 20 }));
    expect(agentCommand(stricter, checkNamed(stricter, "db-1", "certificate MariaDB")).argv.slice(2)).toEqual(["45", "20"]);
    expect(checkNamed(stricter, "vip-loadBalancer", "certificate api.ibac.rik.ee port 443").command).toMatchObject({ tls: { expiry: { warnDays: 45, criticalDays: 20 } } });
  });

  it("refuses a TLS endpoint no monitoring flow reaches, naming the host and port", () => {
    const stray = { vm: "api-1", address: "10.20.2.88", port: 9443, serverName: "api-1.ibac.rik.ee", what: "a second port" };
    expect(() => deriveMonitoringPlan(prod.spec, prod.model, [stray])).toThrow("monitoring plan: no flow from the monitoring tier reaches api-1 (vm, api) on TCP port 9443");
  });

  it("runs the agents' programs from a lab root, except Debian's plugins", () => {
    const lab = deriveMonitoringPlan(prod.spec, prod.model, [], monitoringPathsUnder("/srv/lab-root"));
    const commands = lab.agents.find((a) => a.host === "pve1")?.commands ?? [];
    expect(commands.find((c) => c.name === "ibac_memory")?.argv[0]).toBe(`/srv/lab-root${PRODUCTION_MONITORING_PATHS.agent.scriptDir}/${AGENT_SCRIPTS.memory}`);
    expect(commands.find((c) => c.name === "ibac_load")?.argv[0]).toBe("/usr/lib/nagios/plugins/check_load");
  });

  it("takes timing and notifications from the spec: repeat every 60 minutes unless set, escalations as given", () => {
    expect(prodPlan.timing).toEqual({ intervalSeconds: 30, retryIntervalSeconds: 10, attempts: 3 });
    expect(prodPlan.notifications).toEqual({ relay: { host: "relay.rik.ee", port: 25 }, from: "ibac-monitoring@rik.ee", email: ["ibac-ops@rik.ee"], repeatMinutes: 60, escalations: [] });
    const escalating = planOf(withProdField(["notifications"], {
      ...prod.spec.notifications,
      repeatMinutes: 15,
      escalations: [{ afterMinutes: 30, email: ["duty-manager@rik.ee"] }],
    }));
    expect(escalating.notifications).toMatchObject({ repeatMinutes: 15, escalations: [{ afterMinutes: 30, email: ["duty-manager@rik.ee"] }] });
  });

  it("runs every Shinken daemon on both monitoring VMs for engine shinken, the second VM's as spares", () => {
    const shinken = planOf(withProdField(["monitoring", "engine"], "shinken"));
    const servers = prod.model.vms.filter((v) => v.tier === "monitoring");
    expect(shinken.shinkenDaemons).toHaveLength(6 * servers.length);
    for (const [i, vm] of servers.entries()) {
      for (const [kind, port] of Object.entries(SHINKEN_DAEMON_PORTS)) {
        expect(shinken.shinkenDaemons).toContainEqual({ kind, name: `${kind}-${vm.name}`, vm: vm.name, address: vm.nics[0].address, port, spare: i > 0 });
      }
    }
    expect(SHINKEN_DAEMON_PORTS).toEqual({ scheduler: 7768, reactionner: 7769, arbiter: 7770, poller: 7771, broker: 7772, receiver: 7773 });
  });
});
