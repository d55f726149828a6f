import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { loadStackFile, stackFilePath } from "../spec/load";
import { OfflinePlanMocks } from "../offline-plan/mocks";
import { InternalCa } from "../pki/internal-ca";
import type { TierComponent, TlsEndpoint } from "../tiers/tier-component";
import type { RenderedFile } from "../vm/rendered-file";
import { recordingScope, settle } from "../../test/support/mock-registrations";
import { RESOURCE_TYPES } from "../resource-types";
import { targetPathOf } from "../vm/deliver";
import { specHostKey } from "../cluster/host-keys";
import { PRODUCTION_MONITORING_PATHS as P } from "../../monitoring/paths";
import { agentTlsPaths } from "../../monitoring/agent/tls-files";
import { renderAgentFiles, renderEngineFiles } from "./renderers";
import { MONITORING_COMPONENT_PATHS as C } from "./paths";
import { SUDO_BOOTSTRAP } from "./host-delivery";
import { planMonitors } from "./plan-monitors";
import { MonitoringTier } from "./component";

const { spec, model } = loadStackFile(stackFilePath(path.resolve(__dirname, "../.."), "prod"));
const value = (output: pulumi.Input<string>): Promise<string> => new Promise((resolve) => pulumi.output(output).apply(resolve));
const PASSWORD = "test-monitoring-db-password";

/** The database as monitoring sees it: its `monitoring` account and one TLS endpoint per server. */
const DATABASE: TierComponent = {
  filesFor: () => [],
  credentials: { monitoring: { user: "ibac_monitor", password: pulumi.secret(PASSWORD), purpose: "test" } },
  tlsEndpoints: model.vms.filter((v) => v.tier === "database").map((vm): TlsEndpoint => ({ vm: vm.name, address: vm.nics[0].address, port: 3306, serverName: vm.fqdn, what: "MariaDB" })),
  monitors: [],
};

let tier: MonitoringTier;
let mocks: OfflinePlanMocks;
beforeAll(async () => {
  mocks = new OfflinePlanMocks(model, "prod");
  await pulumi.runtime.setMocks(mocks, "ibac-platform", "prod", false);
  const ca = new InternalCa("test-ca", { organization: "test", commonName: "test CA" });
  const scoped = recordingScope("monitoring-test");
  tier = new MonitoringTier("test-monitoring", { spec, model, ca, proxmoxCaPem: "", secrets: {}, offered: { database: DATABASE }, nodeSshPrivateKey: pulumi.secret("test-node-ssh-key") }, { parent: scoped.scope });
  await settle(scoped.recorded);
});

const summary = (files: readonly { path: string; owner: string; mode: string }[]): string[] => files.map((f) => `${f.path} ${f.owner} ${f.mode}`);
const monitoringVms = () => model.vms.filter((v) => v.tier === "monitoring");
const agentOf = (host: string) => {
  const agent = tier.plan.agents.find((a) => a.host === host);
  if (!agent) throw new Error(`test: no agent on ${host}`);
  return agent;
};
const tls = agentTlsPaths(P.agent);

/** The agent's block of a host's list: its TLS files, the agent renderer's files, the digest that restarts NRPE. */
function agentBlock(host: string): string[] {
  return [
    `${tls.ca} root:root 0644`,
    `${tls.cert} root:root 0644`,
    `${tls.key} root:nagios 0640`,
    ...summary(renderAgentFiles(agentOf(host), P.agent)),
    `${C.agentDigest} root:root 0600`,
  ];
}

describe("MonitoringTier under pulumi.runtime.setMocks (constructed, not deployed)", () => {
  it("(mocks) gives each monitoring VM its packages script first, then the agent's files, then the engine's, each block ending with its digest", () => {
    expect(monitoringVms().map((v) => v.name)).toEqual(tier.plan.servers.map((s) => s.vm));
    for (const vm of monitoringVms()) {
      const files = tier.filesFor(vm);
      expect(summary(files), vm.name).toEqual([
        `${C.enginePackagesScript} root:root 0755`,
        ...agentBlock(vm.name),
        `${P.engine.caFile} root:root 0644`,
        `${P.engine.clientCertFile} root:root 0644`,
        `${P.engine.clientKeyFile} root:nagios 0640`,
        ...summary(renderEngineFiles(tier.plan, vm.name, P.engine, { mysqlPassword: "x" })),
        `${C.engineDigest} root:root 0600`,
      ]);
      expect(files[0].afterChange).toBe(C.enginePackagesScript);
      const follow = new Map(files.map((f) => [f.path, f.afterChange]));
      expect(follow.get(C.agentDigest)).toBe("systemctl restart nagios-nrpe-server.service");
      expect(follow.get(C.engineDigest)).toBe(`/usr/sbin/nagios4 -v ${P.engine.mainConfig} && systemctl reload-or-restart nagios4.service`);
      expect(files.filter((f) => f.afterChange).map((f) => f.path)).toEqual([C.enginePackagesScript, C.agentDigest, C.engineDigest]);
    }
  });

  it("(mocks) gives every other VM the NRPE packages script first and the agent's files, nothing of the engine's", () => {
    for (const vm of model.vms.filter((v) => v.tier !== "monitoring")) {
      const files = tier.filesFor(vm);
      expect(summary(files), vm.name).toEqual([`${C.agentPackagesScript} root:root 0755`, ...agentBlock(vm.name)]);
      expect(files.map((f) => f.path)).not.toContain(P.engine.mysqlClientFile);
    }
  });

  it("(mocks) delivers every toolkit file the engine's and the agent's files name (certificates, keys, option files, scripts)", async () => {
    const named = /\/(?:etc\/ibac|etc\/nagios4?|usr\/local\/lib\/ibac)\/[A-Za-z0-9._/-]*[A-Za-z0-9_-]/g;
    for (const vm of model.vms) {
      const files = tier.filesFor(vm);
      const delivered = new Set(files.map((f) => f.path));
      const isDirectory = (p: string) => [...delivered].some((d) => d.startsWith(`${p}/`));
      const missing = new Set<string>();
      for (const f of files) {
        for (const p of (await value(f.content)).match(named) ?? []) if (!delivered.has(p) && !isDirectory(p)) missing.add(`${p} (named in ${f.path})`);
      }
      expect([...missing], vm.name).toEqual([]);
      if (vm.tier === "monitoring") for (const p of [P.engine.caFile, P.engine.clientCertFile, P.engine.clientKeyFile, P.engine.mysqlClientFile]) expect(files.some((f) => f.content !== undefined && f.path !== p && typeof f.content === "string" && f.content.includes(p)), `${vm.name}: ${p} named`).toBe(true);
    }
  });

  it("(mocks) keeps the database password inside the secret check_mysql options file, and every key a secret", async () => {
    for (const vm of monitoringVms()) {
      const files = tier.filesFor(vm);
      const byPath = new Map(files.map((f) => [f.path, f]));
      const mysql = byPath.get(P.engine.mysqlClientFile) as RenderedFile;
      expect(mysql, vm.name).toBeDefined();
      expect(mysql.mode).toMatch(/^0[67][04]0$/);
      expect(await pulumi.isSecret(pulumi.output(mysql.content))).toBe(true);
      expect(await value(mysql.content)).toContain(PASSWORD);
      for (const key of [P.engine.clientKeyFile, tls.key, C.engineDigest, C.agentDigest]) {
        expect(await pulumi.isSecret(pulumi.output((byPath.get(key) as RenderedFile).content)), `${vm.name}:${key}`).toBe(true);
      }
      for (const f of files) {
        const secret = await pulumi.isSecret(pulumi.output(f.content));
        if (!secret) expect(await value(f.content), `${vm.name}:${f.path} in plain text`).not.toContain(PASSWORD);
        // Nothing that holds the password or a key is readable by others.
        if (secret) expect(f.mode, `${vm.name}:${f.path}`).toMatch(/^0[67][04]0$/);
      }
    }
  });

  it("(mocks) delivers the agent to every Proxmox node and the QDevice host as root, host key pinned from the spec, once sudo is there", () => {
    const outside = [...model.nodes.map((n) => ({ host: n.name, address: n.managementAddress })), ...(model.qdevice ? [{ host: model.qdevice.name, address: model.qdevice.address }] : [])];
    expect(outside.length).toBeGreaterThan(2);
    const open = (v: unknown): unknown => (typeof v === "object" && v !== null && (v as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig ? (v as { value: unknown }).value : v);
    for (const { host, address } of outside) {
      const mine = mocks.registrations.filter((r) => r.name.startsWith(`test-monitoring-${host}-agent-`));
      const sudo = mine.find((r) => r.name === `test-monitoring-${host}-agent-sudo`);
      expect(sudo?.inputs.create, host).toBe(SUDO_BOOTSTRAP);
      const copies = mine.filter((r) => r.type === RESOURCE_TYPES.CopyToRemote);
      const expected = tier.hostFiles.get(host) ?? [];
      expect(summary(expected), host).toEqual([`${C.agentPackagesScript} root:root 0755`, ...agentBlock(host)]);
      // Registration order is the SDK's (inputs resolve asynchronously); ConfigDelivery chains the installs in list order.
      expect(copies.map((c) => targetPathOf(String(open(c.inputs.remotePath)))).sort(), host).toEqual(expected.map((f) => f.path).sort());
      for (const r of [sudo, ...copies]) {
        const connection = open(r?.inputs.connection) as Record<string, unknown>;
        expect({ host: open(connection.host), user: open(connection.user), hostKey: open(connection.hostKey) }, host).toEqual({ host: address, user: "root", hostKey: specHostKey(spec, address) });
      }
    }
  });

  it("(mocks) gives each agent a certificate for its name with its address, and each monitoring VM a client certificate", () => {
    const certs = mocks.registrations.filter((r) => r.type === RESOURCE_TYPES.CertRequest && r.name.startsWith("test-monitoring-"));
    const byName = new Map(certs.map((c) => [c.name, c.inputs]));
    for (const agent of tier.plan.agents) {
      const csr = byName.get(`test-monitoring-nrpe-${agent.host}-tls-csr`);
      expect(csr?.dnsNames, agent.host).toEqual([agent.tlsName]);
      expect(csr?.ipAddresses, agent.host).toEqual([agent.address]);
    }
    const signed = new Map(mocks.registrations.filter((r) => r.type === RESOURCE_TYPES.LocallySignedCert).map((r) => [r.name, r.inputs.allowedUses]));
    for (const s of tier.plan.servers) {
      expect(byName.get(`test-monitoring-client-${s.vm}-tls-csr`)?.ipAddresses).toEqual([s.address]);
      expect(signed.get(`test-monitoring-client-${s.vm}-tls-cert`)).toContain("client_auth");
    }
    expect(signed.get(`test-monitoring-nrpe-${tier.plan.agents[0].host}-tls-cert`)).not.toContain("client_auth");
    expect(certs).toHaveLength(tier.plan.agents.length + tier.plan.servers.length);
  });

  it("(mocks) monitors what the plan checks and serves no TLS endpoint", () => {
    expect(tier.monitors).toEqual(planMonitors(tier.plan));
    expect(tier.monitors).toHaveLength(tier.plan.checks.length);
    expect(new Set(tier.monitors.map((m) => m.id)).size).toBe(tier.monitors.length);
    // Every monitor goes over a flow the model has (the firewall's rule for it).
    const flows = new Set(model.flows.map((f) => f.id));
    expect(tier.monitors.filter((m) => !flows.has(m.flowId)).map((m) => m.id)).toEqual([]);
    expect(tier.tlsEndpoints).toEqual([]);
    expect(tier.credentials).toEqual({});
  });

  it("(mocks) with engine shinken: the Debian packages only, Shinken's files after the objects, the engine's group files for shinken, the arbiter restarted", () => {
    const ca = new InternalCa("test-ca-shinken", { organization: "test", commonName: "test CA" });
    const shinkenSpec = { ...spec, monitoring: { ...spec.monitoring, engine: "shinken" as const } };
    const shinken = new MonitoringTier("test-monitoring-shinken", { spec: shinkenSpec, model, ca, proxmoxCaPem: "", secrets: {}, offered: { database: DATABASE }, nodeSshPrivateKey: "k" }, {});
    for (const vm of monitoringVms()) {
      const files = shinken.filesFor(vm);
      expect(files[0].path).toBe(C.enginePackagesScript);
      expect(String(files[0].content)).not.toContain("nagios4-core");
      const engine = files.slice(files.findIndex((f) => f.path === P.engine.caFile));
      const shinkenFiles = engine.filter((f) => f.path.startsWith(`${P.engine.shinkenDir}/`));
      expect(shinkenFiles.length, vm.name).toBeGreaterThan(0);
      expect(engine.findIndex((f) => f.path.startsWith(`${P.engine.shinkenDir}/`))).toBeGreaterThan(engine.findIndex((f) => f.path === P.engine.mysqlClientFile));
      // What nagios4's user would read, Shinken's reads; the agent's stay nagios's.
      expect(engine.filter((f) => f.owner.endsWith(":nagios")).map((f) => f.path), vm.name).toEqual([]);
      expect(engine.filter((f) => f.owner === "root:shinken").map((f) => f.path), vm.name).toEqual(expect.arrayContaining([P.engine.clientKeyFile, P.engine.mysqlClientFile, P.engine.resourceFile]));
      expect(files.find((f) => f.path === tls.key)?.owner).toBe("root:nagios");
      expect(files.at(-1)).toMatchObject({ path: C.engineDigest, afterChange: "systemctl restart shinken-arbiter.service" });
    }
  });

  it("(mocks) refuses to build without root's SSH key on the nodes, naming the hosts", () => {
    const ca = new InternalCa("test-ca-2", { organization: "test", commonName: "test CA" });
    const hosts = [...model.nodes.map((n) => n.name), ...(model.qdevice ? [model.qdevice.name] : [])].join(", ");
    expect(() => new MonitoringTier("test-monitoring-nokey", { spec, model, ca, proxmoxCaPem: "", secrets: {}, offered: { database: DATABASE } }, {}))
      .toThrow(`monitoring tier: agents on ${hosts} need root's SSH key on the nodes and the QDevice host (TierComponentArgs.nodeSshPrivateKey)`);
  });

  it("(mocks) refuses a database monitoring account other than the one the check_mysql options file logs in as", () => {
    const ca = new InternalCa("test-ca-4", { organization: "test", commonName: "test CA" });
    const other: TierComponent = { ...DATABASE, credentials: { monitoring: { ...DATABASE.credentials.monitoring, user: "nagios" } } };
    expect(() => new MonitoringTier("test-monitoring-user", { spec, model, ca, proxmoxCaPem: "", secrets: {}, offered: { database: other }, nodeSshPrivateKey: "k" }, {}))
      .toThrow("monitoring tier: the database's monitoring account is nagios, the check_mysql options file logs in as ibac_monitor");
  });

  it("(mocks) refuses to build without the database's monitoring account", () => {
    const ca = new InternalCa("test-ca-3", { organization: "test", commonName: "test CA" });
    expect(() => new MonitoringTier("test-monitoring-nodb", { spec, model, ca, proxmoxCaPem: "", secrets: {}, offered: {}, nodeSshPrivateKey: "k" }, {}))
      .toThrow('the monitoring tier\'s MariaDB checks: the database tier offers no "monitoring" credential (offered: none)');
  });
});
