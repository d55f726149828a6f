import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { loadStackFile, parseStack } from "./load";
import { InputError } from "../input/input-error";
import { PROJECT_DIR, STACKS, stackFileName, stackText } from "../../test/fixtures/specs";
import { expectInputProblem } from "../../test/support/input-error-shape";

const FILE = "stacks/Pulumi.prod.yaml";
const prod = stackText("prod");

/** The prod stack with one field of the platform spec set to `value` (re-serialised by the yaml package). */
function withField(fieldPath: (string | number)[], value: unknown): string {
  const doc = parseDocument(prod);
  doc.setIn(["config", "ibac:platform", ...fieldPath], value);
  return doc.toString();
}

/** The prod stack without one field of the platform spec. */
function withoutField(fieldPath: (string | number)[]): string {
  const doc = parseDocument(prod);
  expect(doc.deleteIn(["config", "ibac:platform", ...fieldPath])).toBe(true);
  return doc.toString();
}

/** The prod stack with one piece of text replaced, keeping every other line where it was. */
function replaced(from: string, to: string): string {
  expect(prod.split(from).length, `"${from}" should occur once in ${FILE}`).toBe(2);
  return prod.replace(from, to);
}

/** The 1-based line of the first line of `text` that contains `needle`. */
function lineOf(text: string, needle: string): number {
  const index = text.split("\n").findIndex((line) => line.includes(needle));
  expect(index, `"${needle}" should be in the text`).toBeGreaterThanOrEqual(0);
  return index + 1;
}

/** The InputError that loading the text as the prod stack throws. */
function rejection(text: string): InputError {
  try {
    parseStack(text, FILE, "prod");
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error("expected a InputError, but the stack loaded");
}

const lines = (...problems: string[]): string => problems.map((p) => `${FILE}: ${p}`).join("\n");

describe("the real stacks", () => {
  it.each(STACKS)("%s loads, with every tier's VMs placed", (stack) => {
    const loaded = parseStack(stackText(stack), stackFileName(stack), stack);
    expect(loaded.stack).toBe(stack);
    expect(loaded.file).toBe(stackFileName(stack));
    expect(loaded.model.vms).toHaveLength(16);
    expect(loaded.model.capacity.fits).toBe(true);
    expect(loaded.config).toEqual({});
  });

  it("loadStackFile reads a stack from disk and names the stack after the file", () => {
    const loaded = loadStackFile(path.join(PROJECT_DIR, FILE), FILE);
    expect(loaded.stack).toBe("prod");
    expect(loaded.file).toBe(FILE);
    expect(loaded.spec.proxmox.nodes.map((n) => n.name)).toEqual(["pve1", "pve2"]);
  });

  it("loadStackFile reports a missing file as a InputError", () => {
    expect(() => loadStackFile(path.join(PROJECT_DIR, "stacks/Pulumi.nope.yaml"), "stacks/Pulumi.nope.yaml")).toThrowError(
      new InputError([{ file: "stacks/Pulumi.nope.yaml", path: "", detail: "no such stack file" }]),
    );
  });

  it("passes other config keys through and accepts secrets set with --secret", () => {
    const text = prod.replace("config:\n", "config:\n  ibac:proxmoxApiToken:\n    secure: AAABAGV4YW1wbGU=\n  aws:region: eu-north-1\n");
    expect(parseStack(text, FILE, "prod").config).toEqual({ "ibac:proxmoxApiToken": { secure: "AAABAGV4YW1wbGU=" }, "aws:region": "eu-north-1" });
  });
});

describe("a wrong type or value", () => {
  it("is an input error of the shared shape: file, field path, expected, found, did-you-mean, line and column", () => {
    const text = replaced("rotation: hanoi", "rotation: hanio");
    const line = lineOf(text, "rotation: hanio");
    expectInputProblem(() => parseStack(text, FILE, "prod"), {
      file: FILE,
      path: "ibac:platform.backupPolicy.photos.rotation",
      detail: 'expected one of "hanoi", found "hanio"; did you mean "hanoi"?',
      expected: 'one of "hanoi"',
      found: '"hanio"',
      suggestion: "hanoi",
      position: { line, column: text.split("\n")[line - 1].indexOf("hanio") + 1 },
    });
  });

  it("names file, field path, expectation and finding, at the value's line", () => {
    const text = replaced("replicas: 1", "replicas: two");
    const err = rejection(text);
    expect(err.message).toBe('stacks/Pulumi.prod.yaml: ibac:platform.database.replicas: expected integer >= 1, found "two"');
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0].position).toEqual({ line: lineOf(text, "replicas: two"), column: 17 });
    expect(err.describe()).toBe(`${err.message}\n    at line ${lineOf(text, "replicas: two")}, column 17`);
  });

  it("a number out of range", () => {
    expect(rejection(withField(["database", "replicas"], 0)).message).toBe(lines("ibac:platform.database.replicas: expected integer >= 1, found 0"));
  });

  it("a value outside a closed set names every choice", () => {
    expect(rejection(withField(["proxmox", "version"], 10)).message).toBe(lines("ibac:platform.proxmox.version: expected one of 6, 7, 8, 9, found 10"));
  });

  it("a malformed CIDR", () => {
    expect(rejection(withField(["networks", "service", "cidr"], "10.20.2.0/33")).message).toBe(
      lines('ibac:platform.networks.service.cidr: expected an IPv4 CIDR such as 10.20.0.0/24, found "10.20.2.0/33"'),
    );
  });

  it("a scalar where a list belongs", () => {
    expect(rejection(withField(["proxmox", "nodes"], "pve1")).message).toBe(lines('ibac:platform.proxmox.nodes: expected a list of at least 1 mapping, found "pve1"'));
  });

  it("every schema problem at once, one line each", () => {
    const doc = parseDocument(prod);
    doc.setIn(["config", "ibac:platform", "database", "replicas"], "two");
    doc.setIn(["config", "ibac:platform", "site", "domain"], "Not A Domain");
    expect(rejection(doc.toString()).message).toBe(
      lines(
        'ibac:platform.site.domain: expected a DNS domain such as ibac.example.ee, found "Not A Domain"',
        'ibac:platform.database.replicas: expected integer >= 1, found "two"',
      ),
    );
  });

  it("a plain value where a secret belongs", () => {
    const text = prod.replace("config:\n", "config:\n  ibac:proxmoxApiToken: automation@pve!pulumi=abc\n");
    expect(rejection(text).message).toBe(
      lines("config.ibac:proxmoxApiToken: expected a Pulumi secret (set it with `pulumi config set --secret ibac:proxmoxApiToken`), found a plain value"),
    );
  });
});

describe("database replication settings", () => {
  it("a primary that is not one of the database VMs", () => {
    expect(rejection(replaced("primary: db-1", "primary: db-3")).message).toBe(
      lines('ibac:platform.database.primary: expected one of the database VMs (db-1 to db-2), found "db-3"'),
    );
  });

  it("a semi-sync wait point MariaDB does not have", () => {
    const text = replaced("waitPoint: AFTER_SYNC", "waitPoint: AFTER_ACK");
    expect(rejection(text).message).toContain("ibac:platform.database.replication.semiSync.waitPoint: expected one of");
  });
});

describe("extra flows and zones (rejected before any resource is built)", () => {
  const withFlow = (flow: string): string => replaced("    admins:\n", `    flows:\n      - ${flow}\n    admins:\n`);

  it("a flow naming a tier that does not exist", () => {
    expect(rejection(withFlow("{ id: admin-to-stats, source: zone:admin, destination: tier:monitorng, protocol: tcp, ports: \"443\", purpose: dashboards }")).message).toBe(
      lines('ibac:platform.flows[0].destination: expected a tier (database, objectStore, frs, api, loadBalancer, backup, monitoring, vpn), found "monitorng"; did you mean "monitoring"?'),
    );
  });

  it("a port out of range", () => {
    expect(rejection(withFlow("{ id: admin-to-stats, source: zone:admin, destination: tier:monitoring, protocol: tcp, ports: \"70000\", purpose: dashboards }")).message).toBe(
      lines('ibac:platform.flows[0].ports: expected a port from 1 to 65535 or a range low:high within it, found "70000"'),
    );
  });

  it("an allow-any rule: every port, or the internet as a source", () => {
    expect(rejection(withFlow("{ id: admin-to-all, source: zone:admin, destination: tier:api, protocol: tcp, ports: \"1:65535\", purpose: everything }")).message).toBe(
      lines('ibac:platform.flows[0].ports: expected the ports the service uses, found "1:65535": every port is an allow-any rule'),
    );
    expect(rejection(withFlow("{ id: world-to-api, source: zone:mobiles, destination: tier:api, protocol: tcp, ports: \"8443\", purpose: direct }")).message).toBe(
      lines("ibac:platform.flows[0].source: expected a source narrower than the internet: an opening from zone:mobiles is an allow-any rule (mobiles reach the platform only through the VPN)"),
    );
  });

  it("a site subnet overlapping a network of the platform", () => {
    expect(rejection(replaced("remoteSubnets: [10.90.0.0/24]", "remoteSubnets: [10.20.2.0/25]")).message).toBe(
      lines("ibac:platform.vpn.siteTunnel.remoteSubnets[0]: expected a subnet outside the platform's networks, found 10.20.2.0/25, which overlaps networks.service (10.20.2.0/24)"),
    );
  });

  it("an off-site NAS inside the admin network (it would get the admin network's openings)", () => {
    expect(rejection(replaced("nasAddress: 10.20.8.50", "nasAddress: 10.20.9.50")).message).toBe(
      lines("ibac:platform.backupPolicy.offsite.nasAddress: expected an address outside the admin and VPN-client networks, found 10.20.9.50, which is inside networks.admin (10.20.9.0/24) and would get its openings"),
    );
  });
});

describe("unknown keys", () => {
  it("a misspelt key is reported once, with a did-you-mean, at the key", () => {
    const text = replaced("    database:\n", "    databse:\n");
    const err = rejection(text);
    expect(err.message).toBe(lines('ibac:platform.databse: unknown key; did you mean "database"?'));
    expect(err.problems[0].position).toEqual({ line: lineOf(text, "databse:"), column: 5 });
  });

  it("a misspelt nested key", () => {
    expect(rejection(replaced("      replicas: 1\n", "      replica: 1\n")).message).toBe(lines('ibac:platform.database.replica: unknown key; did you mean "replicas"?'));
  });

  it("a key like no known one lists the known keys (and the key it replaced is missing)", () => {
    expect(rejection(replaced("      replicas: 1\n", "      copies: 1\n")).message).toBe(
      lines("ibac:platform.database.replicas: expected integer >= 1, found nothing", "ibac:platform.database.copies: unknown key; expected one of vm, replicas, dataDiskGiB, nodes, primary, replication"),
    );
  });

  it("a misspelt config key of the ibac namespace", () => {
    expect(rejection(prod.replace("  ibac:platform:\n", "  ibac:platfrom:\n")).message).toBe(lines('config.ibac:platfrom: unknown key; did you mean "ibac:platform"?'));
  });
});

describe("missing or empty input", () => {
  it("a missing required mapping names the keys it needs", () => {
    expect(rejection(withoutField(["tls"])).message).toBe(lines("ibac:platform.tls: expected a mapping with minVersion, ciphers, ciphersuites, found nothing"));
  });

  it("a missing required value", () => {
    expect(rejection(withoutField(["database", "replicas"])).message).toBe(lines("ibac:platform.database.replicas: expected integer >= 1, found nothing"));
  });

  it("an empty file", () => {
    const expected = lines("the file is empty; expected a Pulumi stack file with `config:` and the `ibac:platform` key");
    expect(rejection("").message).toBe(expected);
    expect(rejection("  \n\n").message).toBe(expected);
  });

  it("a file without config:", () => {
    expect(rejection("# only a comment\n").message).toBe(lines("config: expected a top-level `config:` mapping, found nothing"));
  });

  it("a stack file without the platform key", () => {
    expect(rejection("config:\n  aws:region: eu-north-1\n").message).toBe(lines("ibac:platform: expected the platform spec (a mapping), found nothing"));
  });

  it("an empty platform key", () => {
    expect(rejection("config:\n  ibac:platform:\n").message).toBe(lines("ibac:platform: expected a mapping, found null"));
  });
});

describe("YAML syntax errors", () => {
  it("gives line and column", () => {
    const text = replaced("      count: 2\n      dataDiskGiB: 2000\n", "      count: 2\n     dataDiskGiB: 2000\n");
    const line = lineOf(text, "     dataDiskGiB: 2000");
    const err = rejection(text);
    expect(err.message).toBe(lines(`YAML syntax error at line ${line}, column 1: All mapping items must start at the same column`));
    expect(err.problems[0].position).toEqual({ line, column: 1 });
  });

  it("reports only the first error, not the parser's follow-on errors", () => {
    const text = replaced("replicas: 1", "replicas: [1");
    const err = rejection(text);
    const line = lineOf(text, "replicas: [1") + 1;
    expect(err.message).toBe(lines(`YAML syntax error at line ${line}, column 7: Flow sequence in block collection must be sufficiently indented and end with a ]`));
    expect(err.problems).toHaveLength(1);
  });

  it("a key given twice", () => {
    const text = replaced("      replicas: 1\n", "      replicas: 1\n      replicas: 2\n");
    const err = rejection(text);
    expect(err.message).toBe(lines(`ibac:platform.database.replicas: expected each key once in a mapping, found "replicas" again (first at line ${lineOf(text, "replicas: 1")})`));
    expect(err.problems[0].position).toEqual({ line: lineOf(text, "replicas: 2"), column: 7 });
  });
});

describe("networks and addresses", () => {
  it("overlapping subnets", () => {
    const err = rejection(withField(["networks", "admin", "cidr"], "10.20.2.0/24"));
    expect(err.message).toBe(
      lines("ibac:platform.networks.admin.cidr: expected a subnet that overlaps no other network, found 10.20.2.0/24, which overlaps networks.service (10.20.2.0/24)"),
    );
    expect(err.problems[0].position?.line).toBeGreaterThan(0);
  });

  it("a subnet overlapping several networks is one line naming them all", () => {
    expect(rejection(withField(["networks", "vpnClients", "cidr"], "10.20.0.0/16")).message).toBe(
      lines(
        "ibac:platform.networks.vpnClients.cidr: expected a subnet that overlaps no other network, found 10.20.0.0/16, which overlaps " +
          "networks.management (10.20.0.0/24), networks.cluster (10.20.1.0/24), networks.service (10.20.2.0/24), networks.storage (10.20.3.0/24), networks.admin (10.20.9.0/24)",
        // The widened VPN-client network now also swallows the off-site NAS: reported too, in the same run.
        "ibac:platform.backupPolicy.offsite.nasAddress: expected an address outside the admin and VPN-client networks, found 10.20.8.50, which is inside networks.vpnClients (10.20.0.0/16) and would get its openings",
      ),
    );
  });

  it("duplicate node addresses", () => {
    expect(rejection(withField(["proxmox", "nodes", 1, "address"], "10.20.0.11")).message).toBe(
      lines("ibac:platform.proxmox.nodes[1].address: expected an address no other host uses, found 10.20.0.11, already used by proxmox.nodes[0].address"),
    );
  });

  it("a QDevice on a node's address", () => {
    expect(rejection(withField(["proxmox", "qdevice", "address"], "10.20.0.12")).message).toBe(
      lines("ibac:platform.proxmox.qdevice.address: expected an address no other host uses, found 10.20.0.12, already used by proxmox.nodes[1].address"),
    );
  });

  it("a node outside the management network", () => {
    expect(rejection(withField(["proxmox", "nodes", 1, "address"], "10.20.5.12")).message).toBe(
      lines("ibac:platform.proxmox.nodes[1].address: expected an address inside networks.management (10.20.0.0/24), found 10.20.5.12"),
    );
  });

  it("a service gateway inside the VM range", () => {
    expect(rejection(withField(["networks", "service", "gateway"], "10.20.2.20")).message).toBe(
      lines("ibac:platform.networks.service.gateway: expected a gateway outside the VM range (hosts 16 to 207 of 10.20.2.0/24), found 10.20.2.20"),
    );
  });

  it("a service gateway on a virtual IP", () => {
    expect(rejection(withField(["networks", "service", "gateway"], "10.20.2.10")).message).toBe(
      lines("ibac:platform.networks.service.gateway: expected a gateway that is not a virtual IP, found 10.20.2.10, the loadBalancer virtual IP (host 10 of 10.20.2.0/24)"),
    );
  });

  it("a cluster gateway on a node's corosync address", () => {
    expect(rejection(withField(["networks", "cluster", "gateway"], "10.20.1.12")).message).toBe(
      lines("ibac:platform.networks.cluster.gateway: expected a gateway outside the nodes' corosync addresses (hosts 11 to 12 of 10.20.1.0/24), found 10.20.1.12"),
    );
  });

  it("a service subnet too small for the VMs", () => {
    expect(rejection(withField(["networks", "service", "cidr"], "10.20.2.0/26")).message).toBe(
      lines("ibac:platform.networks.service.cidr: expected a subnet with at least 208 usable addresses for the VMs and virtual IPs, found 10.20.2.0/26 (62)"),
    );
  });
});

describe("nodes and placement", () => {
  it("a duplicate node name", () => {
    expect(rejection(withField(["proxmox", "nodes", 1, "name"], "pve1")).message).toBe(
      lines('ibac:platform.proxmox.nodes[1].name: expected a node name used once, found "pve1" again (first at proxmox.nodes[0])'),
    );
  });

  it("an unknown node name in a tier's nodes", () => {
    expect(rejection(withField(["api", "nodes"], ["pve1", "pve3"])).message).toBe(
      lines('ibac:platform.api.nodes[1]: expected the name of a node in proxmox.nodes (pve1, pve2), found "pve3"'),
    );
  });

  it("a misspelt node name gets a did-you-mean", () => {
    expect(rejection(withField(["api", "nodes"], ["pve1", "pev2"])).message).toBe(
      lines('ibac:platform.api.nodes[1]: expected the name of a node in proxmox.nodes (pve1, pve2), found "pev2"; did you mean "pve2"?'),
    );
  });

  it("more VMs in a tier than nodes for anti-affinity", () => {
    const err = rejection(withField(["api", "count"], 3));
    expect(err.message).toBe(lines("ibac:platform.api.count: expected at most 2 (anti-affinity keeps each api VM on its own node and 2 nodes are eligible), found 3"));
    expect(err.problems[0].position?.line).toBeGreaterThan(0);
  });

  it("more database replicas than nodes for anti-affinity", () => {
    expect(rejection(withField(["database", "replicas"], 2)).message).toBe(
      lines("ibac:platform.database.replicas: expected at most 1 (anti-affinity keeps each database VM on its own node and 2 nodes are eligible), found 2"),
    );
  });

  it("a tier restricted to fewer nodes than it has VMs", () => {
    expect(rejection(withField(["vpn", "nodes"], ["pve2"])).message).toBe(
      lines("ibac:platform.vpn.count: expected at most 1 (anti-affinity keeps each vpn VM on its own node and 1 node is eligible), found 2"),
    );
  });

  it("a VM with more memory than any node less its reserve", () => {
    expect(rejection(withField(["database", "vm", "memoryGiB"], 120)).message).toBe(
      lines("ibac:platform.database.vm.memoryGiB: expected at most 112 (pve1's 128 GiB less the 16 GiB hypervisor reserve), found 120"),
    );
  });

  it("a VM with more cores than any node less its reserve", () => {
    expect(rejection(withField(["database", "vm", "cores"], 64)).message).toBe(
      lines("ibac:platform.database.vm.cores: expected at most 60 (pve1's 64 logical CPUs less the 4 reserved), found 64"),
    );
  });
});

describe("capacity", () => {
  it("a stack that does not fit N+1: one line per failure scenario", () => {
    const err = rejection(withField(["frs", "vm", "memoryGiB"], 60));
    expect(err.message).toBe(
      lines(
        "ibac:platform.proxmox.nodes: expected room for every HA VM when any one node fails, found that if pve1 fails, pve2 needs 188 GiB of memory and has 112 GiB after the hypervisor reserve",
        "ibac:platform.proxmox.nodes: expected room for every HA VM when any one node fails, found that if pve2 fails, pve1 needs 188 GiB of memory and has 112 GiB after the hypervisor reserve",
      ),
    );
    expect(err.problems[0].position?.line).toBe(lineOf(prod, "- name: pve1"));
  });

  it("cores short after a failure", () => {
    expect(rejection(withField(["frs", "vm", "cores"], 30)).message).toBe(
      lines(
        "ibac:platform.proxmox.nodes: expected room for every HA VM when any one node fails, found that if pve1 fails, pve2 needs 98 cores and has 60 after the hypervisor reserve",
        "ibac:platform.proxmox.nodes: expected room for every HA VM when any one node fails, found that if pve2 fails, pve1 needs 98 cores and has 60 after the hypervisor reserve",
      ),
    );
  });

  it("disks that do not fit a node's pool: a DRBD disk counts once per node (its peer's copy is the other node's own disk)", () => {
    expect(rejection(withField(["objectStore", "dataDiskGiB"], 20000)).message).toBe(
      lines(
        "ibac:platform.proxmox.nodes[0].disks: expected room for the disks of pve1's VMs and the replicas it receives (24492 GiB), found 11920 GiB usable at 80% fill",
        "ibac:platform.proxmox.nodes[1].disks: expected room for the disks of pve2's VMs and the replicas it receives (24492 GiB), found 11920 GiB usable at 80% fill",
      ),
    );
  });
});

describe("every field held to its meaning (issue 11)", () => {
  const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHf3p6Lq0yq2e3d1R4QxH0m8d9d2kz8w1y1c9mJ0o3xM ops@rik";
  const flow = { id: "admin-to-stats", source: "zone:admin", destination: "tier:monitoring", protocol: "tcp", ports: "443", purpose: "dashboards" };

  it.each<[string, (string | number)[], unknown, string[]]>([
    // CIDRs are written as their network address, in every CIDR field.
    ["a network with host bits set", ["networks", "service", "cidr"], "10.20.2.5/24", ["ibac:platform.networks.service.cidr: expected a network address with the host bits clear (10.20.2.0/24), found 10.20.2.5/24"]],
    ["a site subnet with host bits set", ["vpn", "siteTunnel", "remoteSubnets"], ["10.90.0.7/24"], ["ibac:platform.vpn.siteTunnel.remoteSubnets[0]: expected a network address with the host bits clear (10.90.0.0/24), found 10.90.0.7/24"]],
    // The admin network: RFC 1918 and at most a /16.
    ["an admin network outside RFC 1918 (shared space is for carriers' customers)", ["networks", "admin", "cidr"], "100.64.9.0/24", ["ibac:platform.networks.admin.cidr: expected a private network inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 (the admin network reaches every SSH and Proxmox GUI port), found 100.64.9.0/24"]],
    ["a public admin network", ["networks", "admin", "cidr"], "198.18.9.0/24", ["ibac:platform.networks.admin.cidr: expected a private network inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 (the admin network reaches every SSH and Proxmox GUI port), found 198.18.9.0/24"]],
    ["an admin network wider than a /16", ["networks", "admin", "cidr"], "172.16.0.0/12", ["ibac:platform.networks.admin.cidr: expected a network of /16 or longer (the admin network is a limited set of hosts), found 172.16.0.0/12 (1048576 addresses)"]],
    // The platform's own networks: private (RFC 1918 or RFC 6598) and at most a /16.
    ["a public storage network", ["networks", "storage", "cidr"], "8.8.0.0/24", ["ibac:platform.networks.storage.cidr: expected a private network inside 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10 (the platform's own networks are not routed on the internet), found 8.8.0.0/24"]],
    ["a VPN-client network wider than a /16", ["networks", "vpnClients", "cidr"], "10.128.0.0/9", ["ibac:platform.networks.vpnClients.cidr: expected a network of /16 or longer (at most 65,536 addresses), found 10.128.0.0/9 (8388608 addresses)"]],
    // A zone that extra flows may name as a source: the statistics site is a limited set of hosts too.
    ["a site subnet wider than a /16", ["vpn", "siteTunnel", "remoteSubnets"], ["10.64.0.0/10"], ["ibac:platform.vpn.siteTunnel.remoteSubnets[0]: expected a network of /16 or longer (the statistics site is a limited set of hosts, each allowed through the tunnel), found 10.64.0.0/10 (4194304 addresses)"]],
    ["the whole internet as a site subnet", ["vpn", "siteTunnel", "remoteSubnets"], ["0.0.0.0/0"], [
      'ibac:platform.vpn.siteTunnel.remoteSubnets[0]: expected a network of hosts, found 0.0.0.0/0, which overlaps 0.0.0.0/8 ("this network")',
      "ibac:platform.vpn.siteTunnel.remoteSubnets[0]: expected a subnet outside the platform's networks, found 0.0.0.0/0, which overlaps networks.management (10.20.0.0/24), networks.cluster (10.20.1.0/24), networks.service (10.20.2.0/24), networks.storage (10.20.3.0/24), networks.admin (10.20.9.0/24), networks.vpnClients (10.30.0.0/16)",
    ]],
    // Hosts: private where only private makes sense, unicast everywhere, never a network or broadcast address.
    ["a public QDevice address", ["proxmox", "qdevice", "address"], "203.0.113.5", ["ibac:platform.proxmox.qdevice.address: expected a private address inside 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10, found 203.0.113.5"]],
    ["a loopback DNS server", ["site", "dnsServers"], ["127.0.0.1"], ["ibac:platform.site.dnsServers[0]: expected a unicast host address, found 127.0.0.1 (loopback, 127.0.0.0/8)"]],
    ["a multicast NAS", ["backupPolicy", "offsite", "nasAddress"], "239.1.2.3", ["ibac:platform.backupPolicy.offsite.nasAddress: expected a unicast host address, found 239.1.2.3 (multicast, 224.0.0.0/4)"]],
    ["a gateway on the broadcast address", ["networks", "management", "gateway"], "10.20.0.255", ["ibac:platform.networks.management.gateway: expected a host address of 10.20.0.0/24, found 10.20.0.255, its broadcast address"]],
    ["a node on the network address", ["proxmox", "nodes", 1, "address"], "10.20.0.0", ["ibac:platform.proxmox.nodes[1].address: expected a host address of 10.20.0.0/24, found 10.20.0.0, its network address"]],
    // Calendar events in Proxmox's grammar (calendar-event.test.ts has the whole table).
    ["a replication schedule with a step of 0", ["proxmox", "replicationSchedule"], "*/0", ['ibac:platform.proxmox.replicationSchedule: expected a Proxmox calendar event such as */15 or mon..fri 8..18:00/30, found "*/0": "0" is not a minute step (a number from 1)']],
    ["a replication schedule at hour 25", ["proxmox", "replicationSchedule"], "25:00", ['ibac:platform.proxmox.replicationSchedule: expected a Proxmox calendar event such as */15 or mon..fri 8..18:00/30, found "25:00": hour 25 is outside 0 to 23']],
    ["a replication schedule in systemd's epoch syntax", ["proxmox", "replicationSchedule"], "@1234", ['ibac:platform.proxmox.replicationSchedule: expected a Proxmox calendar event such as */15 or mon..fri 8..18:00/30, found "@1234": "@1234" is not a minute (a number from 0 to 59)']],
    // Time zones from the zone database.
    ["a misspelt time zone", ["site", "timeZone"], "Europe/Tallin", ['ibac:platform.site.timeZone: expected an IANA time zone such as Europe/Tallinn, found "Europe/Tallin"; did you mean "Europe/Tallinn"?']],
    ["a time zone in the wrong case", ["site", "timeZone"], "europe/tallinn", ['ibac:platform.site.timeZone: expected an IANA time zone such as Europe/Tallinn, found "europe/tallinn"; did you mean "Europe/Tallinn"?']],
    // Reserved user names (reserved-users.test.ts checks the list against base-passwd).
    ["an admin named after a base-system user", ["admins", 0, "name"], "daemon", ["ibac:platform.admins[0].name: expected a user name no system account uses, found \"daemon\", reserved by Debian's base system (base-passwd)"]],
    ["an admin named after a service user", ["admins", 0, "name"], "mysql", ['ibac:platform.admins[0].name: expected a user name no system account uses, found "mysql", reserved by MariaDB']],
    ["an admin named after the deploy user", ["admins", 0, "name"], "ibac-deploy", ["ibac:platform.admins[0].name: expected a user name no system account uses, found \"ibac-deploy\", reserved by the toolkit's deploy user"]],
    ["two admins of one name", ["admins", 1], { name: "ibacops", sshKeys: [key] }, ['ibac:platform.admins[1].name: expected a user name used once, found "ibacops" again (first at admins[0])']],
    // Lists whose entries mean one thing each: a repeat is a mistake, named at the repeat.
    ["an NTP server listed twice", ["site", "ntpServers", 1], "10.20.0.2", ['ibac:platform.site.ntpServers[1]: expected an entry not listed before, found "10.20.0.2" again (first at site.ntpServers[0])']],
    ["a DNS server listed twice", ["site", "dnsServers", 1], "10.20.0.2", ['ibac:platform.site.dnsServers[1]: expected an entry not listed before, found "10.20.0.2" again (first at site.dnsServers[0])']],
    ["a loopback SMTP relay", ["notifications", "smtpRelay", "host"], "127.0.0.1", ["ibac:platform.notifications.smtpRelay.host: expected a unicast host address, found 127.0.0.1 (loopback, 127.0.0.0/8)"]],
    // The Debian release and its image agree.
    ["a release the image is not", ["debian", "release"], 13, [
      'ibac:platform.debian.image.fileName: expected an image of Debian 13 (trixie) as in debian.release, found "debian-12-genericcloud-amd64-20250210-2019.qcow2", which names Debian 12 (bookworm)',
      'ibac:platform.debian.image.url: expected an image of Debian 13 (trixie) as in debian.release, found "https://cloud.debian.org/images/cloud/bookworm/20250210-2019/debian-12-genericcloud-amd64-20250210-2019.qcow2", which names Debian 12 (bookworm)',
    ]],
    ["an image file name that names no release", ["debian", "image", "fileName"], "genericcloud-amd64.qcow2", ['ibac:platform.debian.image.fileName: expected a file name that says its release (debian-12 or bookworm), found "genericcloud-amd64.qcow2"']],
    ["an image URL of another release", ["debian", "image", "url"], "https://cloud.debian.org/images/cloud/trixie/latest/debian-12-genericcloud-amd64.qcow2", ['ibac:platform.debian.image.url: expected an image of Debian 12 (bookworm) as in debian.release, found "https://cloud.debian.org/images/cloud/trixie/latest/debian-12-genericcloud-amd64.qcow2", which names Debian 13 (trixie)']],
    ["a SHA-256-long checksum for sha512", ["debian", "image", "checksum"], "a".repeat(64), ["ibac:platform.debian.image.checksum: expected a sha512 digest of 128 hex digits (debian.image.checksumAlgorithm), found 64 hex digits"]],
    // Free text: one line of printable characters, in every string field.
    ["a line break in the site name", ["site", "name"], "rik\nibac", ["ibac:platform.site.name: expected one line of printable text, found U+000A (line feed) at character 4"]],
    ["an SMTP command smuggled into the relay host", ["notifications", "smtpRelay", "host"], "relay.rik.ee\r\nRCPT TO:<x@y>", ["ibac:platform.notifications.smtpRelay.host: expected one line of printable text, found U+000D (carriage return) at character 13"]],
    ["a relay host that is no host name", ["notifications", "smtpRelay", "host"], "relay.rik.ee;id", ['ibac:platform.notifications.smtpRelay.host: expected a host name such as relay.example.org or an IPv4 address, found "relay.rik.ee;id"']],
    ["a relay host that is no IPv4 address", ["notifications", "smtpRelay", "host"], "999.1.1.1", ['ibac:platform.notifications.smtpRelay.host: expected a host name such as relay.example.org or an IPv4 address, found "999.1.1.1"']],
    ["a terminal escape in a notification address", ["notifications", "email"], ["ops@rik.ee\u001b[2J"], ["ibac:platform.notifications.email[0]: expected one line of printable text, found U+001B (escape, as in a terminal escape sequence) at character 11"]],
    ["an API endpoint with a shell metacharacter in its host", ["proxmox", "endpoint"], "https://10.20.0.11;id:8006/", ['ibac:platform.proxmox.endpoint: expected the API URL such as https://10.20.0.11:8006/, found "https://10.20.0.11;id:8006/"']],
    ["an API endpoint on port 0", ["proxmox", "endpoint"], "https://10.20.0.11:0/", ['ibac:platform.proxmox.endpoint: expected the API URL such as https://10.20.0.11:8006/, found "https://10.20.0.11:0/"']],
    ["a snippet path that climbs out with ..", ["proxmox", "snippetStorage", "path"], "/var/lib/../../etc", ['ibac:platform.proxmox.snippetStorage.path: expected an absolute path on every node such as /var/lib/ibac-files, found "/var/lib/../../etc"']],
    ["a snippet path with a command substitution", ["proxmox", "snippetStorage", "path"], "/var/lib/$(id)", ['ibac:platform.proxmox.snippetStorage.path: expected an absolute path on every node such as /var/lib/ibac-files, found "/var/lib/$(id)"']],
    ["an image URL with a quote", ["debian", "image", "url"], "https://cloud.debian.org/x'y/debian-12.qcow2", [`ibac:platform.debian.image.url: expected the image's URL such as https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-genericcloud-amd64.qcow2, found "https://cloud.debian.org/x'y/debian-12.qcow2"`]],
    ["a notification address with a space", ["notifications", "email"], ["ops @rik.ee"], ['ibac:platform.notifications.email[0]: expected an e-mail address, found "ops @rik.ee"']],
    ["a terminal escape in an SSH key's comment", ["admins", 0, "sshKeys", 0], `${key}\u001b[31m`, ["ibac:platform.admins[0].sshKeys[0]: expected one line of printable text, found U+001B (escape, as in a terminal escape sequence) at character 89"]],
    ["a line break in a flow's purpose (it becomes a firewall comment)", ["flows"], [{ ...flow, purpose: "dashboards\nIN ACCEPT" }], ["ibac:platform.flows[0].purpose: expected one line of printable text, found U+000A (line feed) at character 11"]],
    ["a terminal title escape in a flow's source", ["flows"], [{ ...flow, source: "zone:admin\u001b]0;x\u0007" }], ["ibac:platform.flows[0].source: expected one line of printable text, found U+001B (escape, as in a terminal escape sequence) at character 11"]],
    ["a bidirectional override in a flow's purpose", ["flows"], [{ ...flow, purpose: "dash\u202eboards" }], ["ibac:platform.flows[0].purpose: expected one line of printable text, found U+202E (bidirectional override) at character 5"]],
  ])("%s", (_, fieldPath, value, problems) => {
    expect(rejection(withField(fieldPath, value)).message).toBe(lines(...problems));
  });

  it.each<[string, (string | number)[], unknown]>([
    ["a time zone that is a link in the database", ["site", "timeZone"], "Europe/Kiev"],
    ["an Etc zone", ["site", "timeZone"], "Etc/GMT+5"],
    ["an SMTP relay given as an address", ["notifications", "smtpRelay", "host"], "10.20.0.25"],
    ["a replication schedule on working days", ["proxmox", "replicationSchedule"], "mon..fri 8..18:00/30"],
    ["a Debian 13 image", ["debian"], { release: 13, image: { url: "https://cloud.debian.org/images/cloud/trixie/20250814-2204/debian-13-genericcloud-amd64-20250814-2204.qcow2", fileName: "debian-13-genericcloud-amd64-20250814-2204.qcow2", checksum: "b".repeat(64), checksumAlgorithm: "sha256" } }],
    ["a VPN-client network in shared address space", ["networks", "vpnClients", "cidr"], "100.64.0.0/16"],
  ])("still accepts %s", (_, fieldPath, value) => {
    expect(parseStack(withField(fieldPath, value), FILE, "prod").spec).toBeDefined();
  });

  it("a key with a terminal escape is named spelt out, never obeyed", () => {
    expect(rejection(prod.replace("config:\n", 'config:\n  "ibac:pl\\e]0;x\\a": 1\n')).message).toBe(
      lines("config.ibac:pl\\u{1b}]0;x\\u{7}: unknown key; expected one of ibac:platform, ibac:proxmoxApiToken, ibac:sshPrivateKey, ibac:fenceIpmiPassword, ibac:replicationAccessKey, ibac:replicationSecretKey"),
    );
  });

  it("a stack file that is not text says so, with its position, instead of a syntax error", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-stack-"));
    const file = path.join(dir, "Pulumi.prod.yaml");
    fs.writeFileSync(file, Buffer.concat([Buffer.from(prod.replace("rik-ibac", "rik-")), Buffer.from([0xff, 0xfe])]));
    try {
      expect(() => loadStackFile(file, FILE)).toThrowError(new RegExp(`^${FILE.replace(/\./g, "\\.")}: expected a UTF-8 text file, found byte 0xff, which is not UTF-8, at line \\d+, column \\d+$`));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const withNul = replaced("name: rik-ibac", "name: rik-\0ibac");
    expect(rejection(withNul).message).toBe(lines(`expected a text file, found a NUL byte at line ${lineOf(withNul, "rik-")}, column 17`));
  });

  it("a key given twice deep in a list names the key and its full path", () => {
    const text = replaced("      - name: ibacops\n", "      - name: ibacops\n        name: ops2\n");
    expect(rejection(text).message).toBe(lines(`ibac:platform.admins[0].name: expected each key once in a mapping, found "name" again (first at line ${lineOf(text, "name: ibacops")})`));
  });
});
