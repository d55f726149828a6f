import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { loadStackFile, stackFilePath } from "../spec/load";
import type { MonitoringPlan } from "../../monitoring/plan/types";
import { checkSecretMode, toRenderedFile } from "./to-rendered-file";
import { monitoringCertificateRequests } from "./certificates";
import { planMonitors } from "./plan-monitors";
import { agentHostsOutsideVms } from "./host-delivery";

// The component's pure parts: secret files' modes, the certificate requests, the monitors, the hosts outside the VMs.

const { model } = loadStackFile(stackFilePath(path.resolve(__dirname, "../.."), "prod"));
const mon1 = model.vms.find((v) => v.name === "mon-1");
if (!mon1) throw new Error("test: prod has no mon-1");
const node = model.nodes[0];

/** A small plan by hand: one monitoring VM, one node with an agent, a virtual address. */
const PLAN: MonitoringPlan = {
  engine: "nagios4",
  timing: { intervalSeconds: 30, retryIntervalSeconds: 10, attempts: 3 },
  servers: [{ vm: "mon-1", address: mon1.nics[0].address, node: mon1.node, role: "active" }],
  hosts: [
    { name: node.name, kind: "node", address: node.managementAddress, hostgroup: "proxmox-nodes", parents: [], agent: true },
    { name: "vip-databasePrimary", kind: "virtual-address", address: "10.20.2.11", tier: "database", hostgroup: "tier-database", parents: ["db-1", "db-2"], agent: false },
  ],
  checks: [
    { host: node.name, description: "load", layer: "server", command: { kind: "nrpe", agentCommand: "ibac_load" }, flowId: "monitoring-to-nodes-agent", what: "load" },
    { host: "vip-databasePrimary", description: "MariaDB read-only", layer: "service", command: { kind: "mysql", port: 3306, check: "read-only", expected: false }, flowId: "monitoring-to-database", what: "writable primary" },
  ],
  agents: [{ host: node.name, address: node.managementAddress, port: 5666, allowedFrom: [mon1.nics[0].address], tlsName: `${node.name}.example.org`, commands: [] }],
  notifications: { relay: { host: "relay.example.org", port: 587 }, from: "a@example.org", email: ["b@example.org"], repeatMinutes: 0, escalations: [] },
  shinkenDaemons: [],
};

describe("the monitoring component's parts", () => {
  it("refuses a secret file others may read, and a mode that is not octal", () => {
    expect(() => checkSecretMode({ path: "/etc/x", mode: "0644", secret: true })).toThrow("monitoring file /etc/x: holds a secret but its mode 0644 lets others read it (expected 0600 or 0640)");
    expect(() => checkSecretMode({ path: "/etc/x", mode: "rw-r-----" })).toThrow('monitoring file /etc/x: mode "rw-r-----" is not an octal mode such as 0640');
    expect(() => checkSecretMode({ path: "/etc/x", mode: "0640", secret: true })).not.toThrow();
    expect(() => checkSecretMode({ path: "/etc/x", mode: "0644" })).not.toThrow();
  });

  it("(mocks) makes a secret file's content a Pulumi secret and leaves a public one plain", async () => {
    await pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name, state: a.inputs }), call: (a) => a.inputs }, "t", "t", false);
    const secret = toRenderedFile({ path: "/etc/s", content: "pw", mode: "0640", owner: "root:nagios", secret: true });
    expect(await pulumi.isSecret(pulumi.output(secret.content))).toBe(true);
    expect(toRenderedFile({ path: "/etc/p", content: "x", mode: "0644", owner: "root:root" })).toEqual({ path: "/etc/p", content: "x", mode: "0644", owner: "root:root" });
  });

  it("asks for an NRPE certificate per agent (its name, its address) and a client certificate per monitoring VM", () => {
    expect(monitoringCertificateRequests(PLAN, model)).toEqual([
      { id: `nrpe-${node.name}`, host: node.name, role: "agent", commonName: `${node.name}.example.org`, dnsNames: [`${node.name}.example.org`], ipAddresses: [node.managementAddress] },
      { id: "client-mon-1", host: "mon-1", role: "client", commonName: mon1.fqdn, dnsNames: [mon1.fqdn], ipAddresses: [mon1.nics[0].address], clientAuth: true },
    ]);
    expect(() => monitoringCertificateRequests({ ...PLAN, servers: [{ ...PLAN.servers[0], vm: "mon-9" }] }, model)).toThrow("monitoring certificates: the plan's monitoring server mon-9 is no VM of the model");
  });

  it("reports each check as a monitor: an NRPE check on the agent's port, a virtual address by its model name", () => {
    expect(planMonitors(PLAN)).toEqual([
      { id: `monitoring-to-nodes-agent@${node.name}/load`, address: node.managementAddress, layer: "server", protocol: "tcp", port: 5666, flowId: "monitoring-to-nodes-agent", what: "load" },
      { id: "monitoring-to-database@vip-databasePrimary/MariaDB read-only", virtualAddress: "databasePrimary", address: "10.20.2.11", layer: "service", protocol: "tcp", port: 3306, flowId: "monitoring-to-database", what: "writable primary" },
    ]);
    expect(() => planMonitors({ ...PLAN, agents: [] })).toThrow(`monitoring monitors: the NRPE check ibac_load of ${node.name} has no agent on that host`);
    expect(() => planMonitors({ ...PLAN, hosts: [] })).toThrow(`monitoring monitors: the check "load" names the host ${node.name}, which the plan does not monitor`);
  });

  it("reaches a node's agent on the node's management address, and refuses a node the model does not have", () => {
    expect(agentHostsOutsideVms(PLAN, model)).toEqual([{ host: node.name, connectAddress: node.managementAddress, kind: "node" }]);
    expect(() => agentHostsOutsideVms({ ...PLAN, hosts: [{ ...PLAN.hosts[0], name: "pve9" }], agents: [{ ...PLAN.agents[0], host: "pve9" }] }, model)).toThrow("monitoring agents: the plan's node pve9 is no node of the model");
  });
});
