import { describe, expect, it } from "vitest";
import type { PolicyResource } from "@pulumi/policy";
import { findingsOf, mutate, mutatePlatform, remove, stackResources } from "../../test/fixtures/policy-fixture";
import { type DeclaredRule } from "./declared-firewall";
import { firewallDefaultDenyPolicy } from "./firewall-default-deny";
import { firewallRulesPerFlowPolicy } from "./firewall-rules-per-flow";
import { flowsMatchIntentPolicy } from "./flows-match-intent";
import { adminInterfacesRestrictedPolicy, memberInside } from "./admin-interfaces-restricted";
import { remoteAccessLimitedPolicy } from "./remote-access-limited";
import { RESOURCES, isResourceOf } from "../../components/resource-types";

const rulesOf = (r: PolicyResource): DeclaredRule[] => r.props.rules as DeclaredRule[];
const nodeRules = (node: string) => (r: PolicyResource) => isResourceOf(r, RESOURCES.FirewallRulesLegacy) && r.props.nodeName === node && r.props.vmId === undefined;
const group = (name: string) => (r: PolicyResource) => isResourceOf(r, RESOURCES.SecurityGroupLegacy) && r.props.name === name;

describe("network policies on the stacks' offline plans (pulumi.runtime.setMocks, not a deployment)", () => {
  it("every network policy passes on prod, staging and lab", async () => {
    for (const stack of ["prod", "staging", "lab"]) {
      const resources = await stackResources(stack);
      for (const policy of [firewallDefaultDenyPolicy(), firewallRulesPerFlowPolicy(), flowsMatchIntentPolicy(), adminInterfacesRestrictedPolicy(), remoteAccessLimitedPolicy()]) {
        expect(await findingsOf(policy, resources), `${stack} ${policy.name}`).toEqual([]);
      }
    }
  });

  it("firewall-default-deny: a cluster firewall accepting inbound fails", async () => {
    const resources = mutate(await stackResources("prod"), (r) => isResourceOf(r, RESOURCES.ClusterFirewallLegacy), (r) => { r.props.inputPolicy = "ACCEPT"; });
    expect(await findingsOf(firewallDefaultDenyPolicy(), resources)).toEqual([expect.objectContaining({ subject: "cluster firewall", observed: "enabled true, inbound ACCEPT", location: "inputs.inputPolicy" })]);
  });

  it("firewall-default-deny: a VM network device without the firewall flag fails", async () => {
    const resources = mutate(await stackResources("prod"), (r) => isResourceOf(r, RESOURCES.VmLegacy) && r.props.name === "api-1", (r) => {
      (r.props.networkDevices as { firewall: boolean }[])[0].firewall = false;
    });
    expect(await findingsOf(firewallDefaultDenyPolicy(), resources)).toEqual([expect.objectContaining({ subject: "api-1's net0 (vmbr0)", observed: "firewall off", location: "inputs.networkDevices[0].firewall" })]);
  });

  it("firewall-default-deny (a resource policy): a VM's firewall options accepting inbound fail, naming the VM id", async () => {
    const resources = mutate(await stackResources("prod"), (r) => isResourceOf(r, RESOURCES.FirewallOptionsLegacy) && r.props.vmId === 1100, (r) => { r.props.inputPolicy = "ACCEPT"; });
    expect(await findingsOf(firewallDefaultDenyPolicy(), resources)).toEqual([expect.objectContaining({ subject: "VM 1100's firewall", observed: "enabled true, inbound ACCEPT" })]);
  });

  it("flows-match-intent: a VM left without firewall options has every port open", async () => {
    const resources = remove(await stackResources("prod"), (r) => isResourceOf(r, RESOURCES.FirewallOptionsLegacy) && r.props.vmId === 1100);
    expect(await findingsOf(flowsMatchIntentPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "db-1's firewall", observed: "no firewall options: the firewall is off, every port open" }),
    ]);
  });

  it("firewall-rules-per-flow: a rule open to every port fails", async () => {
    const resources = mutate(await stackResources("prod"), group("ibac-database"), (r) => { delete rulesOf(r)[0].dport; });
    expect(await findingsOf(firewallRulesPerFlowPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "rule 0 of security group ibac-database", observed: "tcp to any port", location: "inputs.rules[0].dport" }),
    ]);
  });

  it("firewall-rules-per-flow: an allow-any rule (no source) whose comment names no flow fails on both counts", async () => {
    const resources = mutate(await stackResources("prod"), nodeRules("pve1"), (r) => {
      rulesOf(r).push({ type: "in", action: "ACCEPT", pos: rulesOf(r).length, proto: "tcp", dport: "3128", comment: "temporary proxy", enabled: true });
    });
    const findings = await findingsOf(firewallRulesPerFlowPolicy(), resources);
    expect(findings.map((f) => f.observed).sort()).toEqual(["any source", 'comment "temporary proxy"']);
  });

  it("firewall-rules-per-flow: a near-total range is allow-any, inbound (1:65535) and outbound (1024:65535), saying the bound", async () => {
    const inbound = mutate(await stackResources("prod"), group("ibac-database"), (r) => { rulesOf(r)[0].dport = "1:65535"; });
    expect(await findingsOf(firewallRulesPerFlowPolicy(), inbound)).toEqual([
      expect.objectContaining({ subject: "rule 0 of security group ibac-database", observed: "tcp/1:65535 opens 65535 of 65535 ports (100.0%): allow-any", expected: "the flow's ports; more than 90% of the ports counts as any port", location: "inputs.rules[0].dport" }),
    ]);
    const outbound = mutate(await stackResources("prod"), (r) => isResourceOf(r, RESOURCES.FirewallRulesLegacy) && r.name.endsWith("-db-1-rules"), (r) => {
      rulesOf(r).push({ type: "out", action: "ACCEPT", pos: rulesOf(r).length, proto: "tcp", dport: "1024:65535", dest: "+zone-ntp", comment: "database-to-ntp: wide", enabled: true });
    });
    expect((await findingsOf(firewallRulesPerFlowPolicy(), outbound)).map((f) => [f.subject, f.observed])).toEqual([
      [expect.stringMatching(/^outbound rule \d+ of db-1$/), "tcp/1024:65535 opens 64512 of 65535 ports (98.4%): allow-any"],
    ]);
    const narrow = mutate(await stackResources("prod"), group("ibac-database"), (r) => { rulesOf(r)[0].dport = "6555:65535"; });
    expect(await findingsOf(firewallRulesPerFlowPolicy(), narrow)).toEqual([]);
  });

  it("firewall-rules-per-flow: a port field the firewall cannot read fails", async () => {
    const resources = mutate(await stackResources("prod"), group("ibac-database"), (r) => { rulesOf(r)[0].dport = "mysqld"; });
    expect(await findingsOf(firewallRulesPerFlowPolicy(), resources)).toEqual([
      expect.objectContaining({ observed: 'port field "mysqld": cannot read mysqld', location: "inputs.rules[0].dport" }),
    ]);
  });

  it("firewall-rules-per-flow: the internet as the source of anything but the mobiles' VPN flows fails", async () => {
    const resources = mutate(await stackResources("prod"), group("ibac-api"), (r) => { rulesOf(r)[0].source = "+zone-mobiles"; });
    const findings = await findingsOf(firewallRulesPerFlowPolicy(), resources);
    expect(findings).toEqual([expect.objectContaining({ observed: "source +zone-mobiles holds 0.0.0.0/0", expected: "the internet as a source only for the mobiles' VPN flows" })]);
  });

  it("flows-match-intent: a rule removed from the declared firewall shows as a blocked flow", async () => {
    const resources = mutate(await stackResources("prod"), nodeRules("pve2"), (r) => {
      r.props.rules = rulesOf(r).filter((rule) => !String(rule.comment).startsWith("nodes-corosync:"));
    });
    const findings = await findingsOf(flowsMatchIntentPolicy(), resources);
    expect(findings).toEqual([expect.objectContaining({ subject: "flow to pve2", observed: "blocked: zone-proxmoxNodes -> pve2 udp/5404:5405" })]);
  });

  it("flows-match-intent: an extra opening and a widened IP set show as unintended", async () => {
    const extra = mutate(await stackResources("prod"), group("ibac-backup"), (r) => {
      rulesOf(r).push({ type: "in", action: "ACCEPT", pos: rulesOf(r).length, proto: "tcp", dport: "3306", source: "+tier-api", comment: "api-to-database-mysql: copied", enabled: true });
    });
    const findings = await findingsOf(flowsMatchIntentPolicy(), extra);
    expect(findings.map((f) => f.observed)).toEqual(["allowed: tier-api -> bkp-1 tcp/3306", "allowed: tier-api -> bkp-2 tcp/3306"]);
  });

  it("flows-match-intent: the QDevice host's nftables ruleset is part of the evidence", async () => {
    const resources = mutate(await stackResources("prod"), (r) => isResourceOf(r, RESOURCES.RemoteCommand) && r.name.endsWith("-qdev1-nftables"), (r) => {
      r.props.stdin = String(r.props.stdin).replace(/.*comment "nodes-to-qdevice"\n/, "");
    });
    expect((await findingsOf(flowsMatchIntentPolicy(), resources)).map((f) => f.observed)).toEqual(["blocked: zone-proxmoxNodes -> qdev1 tcp/5403"]);
  });

  it("admin-interfaces-restricted: the Proxmox GUI open to any address fails", async () => {
    const resources = mutate(await stackResources("prod"), (r) => isResourceOf(r, RESOURCES.FirewallIpsetLegacy) && r.props.name === "management", (r) => {
      (r.props.cidrs as { name: string }[]).push({ name: "0.0.0.0/0" });
    });
    expect(await findingsOf(adminInterfacesRestrictedPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "Proxmox management IP set", observed: "0.0.0.0/0", location: "inputs.cidrs" }),
    ]);
  });

  it("admin-interfaces-restricted: SSH on a VM opened to the VPN clients fails", async () => {
    const resources = mutate(await stackResources("prod"), group("ibac-api"), (r) => {
      const ssh = rulesOf(r).find((rule) => rule.dport === "22");
      if (ssh) ssh.source = "+zone-vpnClients";
    });
    const findings = await findingsOf(adminInterfacesRestrictedPolicy(), resources);
    expect(findings.map((f) => f.subject)).toEqual(["port 22 on api-1", "port 22 on api-2"]);
    expect(findings[0].observed).toBe("open to zone-vpnClients (10.30.0.0/16)");
  });

  const pushRule = (rule: DeclaredRule) => (r: PolicyResource): void => { rulesOf(r).push({ type: "in", action: "ACCEPT", pos: rulesOf(r).length, enabled: true, ...rule }); };

  it("admin-interfaces-restricted: a range that includes 22 (20:25 from the service network's alias) on a node fails", async () => {
    const resources = mutate(await stackResources("prod"), nodeRules("pve1"), pushRule({ proto: "tcp", dport: "20:25", source: "ibac-net-service", comment: "admin-to-nodes-ssh: widened" }));
    expect(await findingsOf(adminInterfacesRestrictedPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "port 22 on pve1", observed: 'open to ibac-net-service (10.20.2.0/24) (port field "20:25")', expected: "the admin network 10.20.9.0/24, or a machine-to-machine use the design names" }),
    ]);
  });

  it("flows-match-intent: ports are compared as ranges: 0022 and ssh are the intended 22, 20:25 is an opening of its own", async () => {
    const spelt = mutate(await stackResources("prod"), nodeRules("pve1"), (r) => {
      for (const rule of rulesOf(r)) if (String(rule.comment).startsWith("admin-to-nodes-ssh:")) rule.dport = "0022";
      for (const rule of rulesOf(r)) if (String(rule.comment).startsWith("nodes-ssh:")) rule.dport = "ssh";
    });
    expect(await findingsOf(flowsMatchIntentPolicy(), spelt)).toEqual([]);
    const widened = mutate(await stackResources("prod"), nodeRules("pve1"), pushRule({ proto: "tcp", dport: "20:25", source: "ibac-net-service", comment: "admin-to-nodes-ssh: widened" }));
    expect((await findingsOf(flowsMatchIntentPolicy(), widened)).map((f) => f.observed)).toEqual(["allowed: ibac-net-service -> pve1 tcp/20:25"]);
  });

  it("admin-interfaces-restricted: the platform's VMs are not exempt: the VPN gateways reaching the nodes' SSH fail", async () => {
    const resources = mutate(await stackResources("prod"), nodeRules("pve2"), pushRule({ proto: "tcp", dport: "22", source: "+tier-vpn", comment: "admin-to-nodes-ssh: from the gateways" }));
    const findings = await findingsOf(adminInterfacesRestrictedPolicy(), resources);
    expect(findings.map((f) => [f.subject, f.observed])).toEqual([["port 22 on pve2", expect.stringMatching(/^open to tier-vpn \(10\.20\.\d+\.\d+, /)]]);
  });

  it("admin-interfaces-restricted: odd spellings are the port itself: 0022, a list with 8006, the service name ssh, all ports", async () => {
    for (const [dport, ports] of [["0022", ["22"]], ["443,8006", ["8006"]], ["ssh", ["22"]], ["1:65535", ["22", "8006"]]] as const) {
      const resources = mutate(await stackResources("prod"), nodeRules("pve1"), pushRule({ proto: "tcp", dport, source: "+tier-loadBalancer", comment: "admin-to-nodes-gui: odd" }));
      expect((await findingsOf(adminInterfacesRestrictedPolicy(), resources)).map((f) => f.subject), dport).toEqual(ports.map((p) => `port ${p} on pve1`));
    }
  });

  it("admin-interfaces-restricted: a Proxmox macro is a spelling too: SSH is tcp/22, an unknown macro counts as the admin ports", async () => {
    const ssh = mutate(await stackResources("prod"), nodeRules("pve1"), pushRule({ macro: "SSH", source: "+tier-vpn", comment: "admin-to-nodes-ssh: macro" }));
    expect((await findingsOf(adminInterfacesRestrictedPolicy(), ssh)).map((f) => [f.subject, f.observed.replace(/ \(10\..*?\)/, "")])).toEqual([["port 22 on pve1", 'open to tier-vpn (port field "macro SSH")']]);
    const unknown = mutate(await stackResources("prod"), nodeRules("pve1"), pushRule({ macro: "Proxmox", source: "+tier-api", comment: "admin-to-nodes-gui: macro" }));
    expect((await findingsOf(adminInterfacesRestrictedPolicy(), unknown)).map((f) => f.subject)).toEqual(["port 22 on pve1", "port 8006 on pve1"]);
  });

  it("admin-interfaces-restricted: a port field it cannot read counts as the admin ports", async () => {
    const resources = mutate(await stackResources("prod"), nodeRules("pve1"), pushRule({ proto: "tcp", dport: "sshd", source: "+tier-api", comment: "admin-to-nodes-ssh: typo" }));
    expect((await findingsOf(adminInterfacesRestrictedPolicy(), resources)).map((f) => f.observed)).toEqual([
      expect.stringContaining('(port field "sshd", unreadable sshd)'), expect.stringContaining('(port field "sshd", unreadable sshd)'),
    ]);
  });

  it("admin-interfaces-restricted: the QDevice host's nftables as delivered are checked too", async () => {
    const resources = mutate(await stackResources("prod"), (r) => isResourceOf(r, RESOURCES.RemoteCommand) && r.name.endsWith("-qdev1-nftables"), (r) => {
      r.props.stdin = String(r.props.stdin).replace(/(\t\tip saddr @zone-proxmoxNodes tcp dport 5403 accept comment "nodes-to-qdevice"\n)/, '$1\t\tip saddr 10.20.2.0/24 tcp dport { 22, 8006 } accept comment "admin-to-qdevice-ssh"\n');
    });
    expect((await findingsOf(adminInterfacesRestrictedPolicy(), resources)).map((f) => [f.subject, f.observed])).toEqual([
      ["port 22 on qdev1", 'open to 10.20.2.0/24 (10.20.2.0/24) (port field "{ 22, 8006 }")'],
      ["port 8006 on qdev1", 'open to 10.20.2.0/24 (10.20.2.0/24) (port field "{ 22, 8006 }")'],
    ]);
  });

  it("remote-access-limited: the VPN clients reaching the database fail, however the port is spelt", async () => {
    for (const dport of ["3306", "3300:3310", "mysql"]) {
      const resources = mutate(await stackResources("prod"), group("ibac-database"), pushRule({ proto: "tcp", dport, source: "+zone-vpnClients", comment: "api-to-database-mysql: from the app" }));
      expect((await findingsOf(remoteAccessLimitedPolicy(), resources)).map((f) => [f.subject, f.observed, f.expected]), dport).toEqual(["db-1", "db-2"].map((vm) => [
        `the VPN clients to ${vm}`, `allowed from zone-vpnClients (10.30.0.0/16): tcp/${dport} on a host that is not loadBalancer`, "the VPN clients (10.30.0.0/16) reach only the load balancer's HTTPS (tcp/443)",
      ]));
    }
  });

  it("remote-access-limited: the spec cannot widen it: an extra flow vpnClients -> database in the design still fails", async () => {
    const resources = mutatePlatform(mutate(await stackResources("prod"), group("ibac-database"), pushRule({ proto: "tcp", dport: "3306", source: "+zone-vpnClients", comment: "vpn-clients-to-database: extra" })), (v) => {
      v.model.flows.push({ ...v.model.flows[0], id: "vpn-clients-to-database", source: { kind: "zone", zone: "vpnClients" }, destination: { kind: "tier", tier: "database" }, protocol: "tcp", ports: "3306" });
    });
    expect((await findingsOf(remoteAccessLimitedPolicy(), resources)).map((f) => f.subject)).toEqual(["the VPN clients to db-1", "the VPN clients to db-2"]);
  });

  it("remote-access-limited: more ports than 443 on the load balancer, and the internet to anything but IKE/NAT-T, fail", async () => {
    const wide = mutate(await stackResources("prod"), group("ibac-loadBalancer"), (r) => {
      const https = rulesOf(r).find((rule) => String(rule.comment).startsWith("vpn-clients-to-lb-https:"));
      if (https) https.dport = "1:65535";
    });
    expect((await findingsOf(remoteAccessLimitedPolicy(), wide)).map((f) => f.observed)).toEqual(["lb-1", "lb-2"].map(() => "allowed from zone-vpnClients (10.30.0.0/16): tcp/1:442,444:65535 beyond 443"));
    const internet = mutate(await stackResources("prod"), group("ibac-api"), pushRule({ proto: "tcp", dport: "8443", source: "+zone-mobiles", comment: "lb-to-api-https: direct" }));
    expect((await findingsOf(remoteAccessLimitedPolicy(), internet)).map((f) => [f.subject, f.observed])).toEqual(["api-1", "api-2"].map((vm) => [`the internet to ${vm}`, "allowed from zone-mobiles (0.0.0.0/0): tcp/8443 on a host that is not vpn"]));
  });

  const ipfilterSet = (vmId: number, name: string) => (r: PolicyResource) => isResourceOf(r, RESOURCES.FirewallIpsetLegacy) && r.props.vmId === vmId && r.props.name === name;
  const cidrsOf = (r: PolicyResource): { name: string }[] => r.props.cidrs as { name: string }[];

  it("flows-match-intent: a VM with ipfilter on and no ipfilter-net0 set fails (every packet it sends dropped)", async () => {
    // lb-1 is VM 1500.
    const resources = remove(await stackResources("prod"), ipfilterSet(1500, "ipfilter-net0"));
    expect(await findingsOf(flowsMatchIntentPolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "lb-1's net0 IP filter", observed: "ipfilter on, no ipfilter-net0 IP set: every packet it sends is dropped", expected: "an ipfilter-net0 set holding 10.20.2.112, 10.20.2.10", location: "inputs.ipfilter" }),
    ]);
  });

  it("flows-match-intent: an IP filter set without the tier's virtual address, or the NIC's own, fails", async () => {
    const noVip = mutate(await stackResources("prod"), ipfilterSet(1100, "ipfilter-net0"), (r) => { r.props.cidrs = cidrsOf(r).filter((c) => c.name !== "10.20.2.11"); });
    expect(await findingsOf(flowsMatchIntentPolicy(), noVip)).toEqual([
      expect.objectContaining({ subject: "db-1's net0 IP filter", observed: "ipfilter-net0 lacks 10.20.2.11: packets from it are dropped", expected: "ipfilter-net0 holding 10.20.2.16, 10.20.2.11", location: "inputs.cidrs" }),
    ]);
    const noOwn = mutate(await stackResources("prod"), ipfilterSet(1201, "ipfilter-net1"), (r) => { r.props.cidrs = []; });
    expect(await findingsOf(flowsMatchIntentPolicy(), noOwn)).toEqual([
      expect.objectContaining({ subject: "s3-2's net1 IP filter", observed: "ipfilter-net1 lacks 10.20.3.41: packets from it are dropped" }),
    ]);
  });

  it("flows-match-intent: an IP filter set letting a VM send as another address fails; with ipfilter off the sets are not judged", async () => {
    const spoof = mutate(await stackResources("prod"), ipfilterSet(1400, "ipfilter-net0"), (r) => { cidrsOf(r).push({ name: "10.20.2.11/32" }); });
    expect(await findingsOf(flowsMatchIntentPolicy(), spoof)).toEqual([
      expect.objectContaining({ subject: "api-1's net0 IP filter", observed: "ipfilter-net0 also holds 10.20.2.11: the VM may send as that address", expected: "ipfilter-net0 holding 10.20.2.88 only" }),
    ]);
    let off = remove(await stackResources("prod"), ipfilterSet(1400, "ipfilter-net0"));
    off = mutate(off, (r) => isResourceOf(r, RESOURCES.FirewallOptionsLegacy) && r.props.vmId === 1400, (r) => { r.props.ipfilter = false; });
    expect(await findingsOf(flowsMatchIntentPolicy(), off)).toEqual([]);
  });

  it("memberInside: addresses and CIDRs inside the admin network, nothing wider", () => {
    expect(memberInside("10.20.9.7", "10.20.9.0/24")).toBe(true);
    expect(memberInside("10.20.9.0/25", "10.20.9.0/24")).toBe(true);
    expect(memberInside("10.20.8.0/23", "10.20.9.0/24")).toBe(false);
    expect(memberInside("0.0.0.0/0", "10.20.9.0/24")).toBe(false);
    expect(memberInside("dns:relay", "10.20.9.0/24")).toBe(false);
  });
});
