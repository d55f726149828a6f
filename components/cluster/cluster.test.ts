import { describe, expect, it } from "vitest";
import { loadStackFile, stackFilePath } from "../spec/load";
import { automationPrivileges } from "./automation-role";
import { qdeviceCommands } from "./qdevice";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { specHostKey, specKnownHosts } from "./host-keys";
import { clusterCaCommand } from "./cluster-ca";
import { describeRun, requireTool, runTool } from "../../test/support/require-tool";

const prod = loadStackFile(stackFilePath(path.resolve(__dirname, "../.."), "prod"));

describe("QDevice commands (pure, no mocks)", () => {
  it("installs qnetd on the QDevice host, qdevice on every node, and sets it up once from the first node", () => {
    const commands = qdeviceCommands(prod.model, prod.spec);
    expect(commands.map((c) => c.host)).toEqual([prod.model.qdevice?.address, ...prod.model.nodes.map((n) => n.managementAddress), prod.model.nodes[0].managementAddress]);
    expect(commands[0].create).toContain("corosync-qnetd");
    const setup = commands[commands.length - 1];
    // Idempotent: a re-run on a cluster that already has the QDevice does nothing.
    const qdev = prod.spec.proxmox.qdevice;
    const line = `${qdev?.address} ${qdev?.sshHostKey.split(" ").slice(0, 2).join(" ")}`;
    expect(setup.create).toBe(
      `pvecm status | grep -q 'Qdevice' || ( install -d -m 0700 /root/.ssh && { grep -qxF '${line}' /root/.ssh/known_hosts 2>/dev/null || echo '${line}' >> /root/.ssh/known_hosts; } && pvecm qdevice setup ${qdev?.address} )`,
    );
    expect(new Set(commands.map((c) => c.name)).size).toBe(commands.length);
  });

  it("pins each command's connection to its host's key from the spec", () => {
    const keyOf = new Map([...prod.spec.proxmox.nodes, ...(prod.spec.proxmox.qdevice ? [prod.spec.proxmox.qdevice] : [])].map((h) => [h.address, h.sshHostKey]));
    for (const c of qdeviceCommands(prod.model, prod.spec)) {
      expect(c.hostKey).toMatch(/^ssh-ed25519 [A-Za-z0-9+/]+=*$/);
      expect(keyOf.get(c.host)?.startsWith(c.hostKey)).toBe(true);
    }
  });

  it("returns nothing for a stack without a QDevice", () => {
    const withoutQdevice = { ...prod.model, qdevice: undefined };
    expect(qdeviceCommands(withoutQdevice, prod.spec)).toEqual([]);
  });
});

describe("automation token privileges (least privilege)", () => {
  it("can build and run VMs but never administer users, permissions or the nodes' power", () => {
    for (const version of [8, 9]) {
      const privileges = automationPrivileges(version);
      expect(privileges).toEqual(expect.arrayContaining(["VM.Allocate", "VM.Config.Disk", "Datastore.AllocateSpace"]));
      for (const forbidden of ["Permissions.Modify", "User.Modify", "Realm.Allocate", "Sys.PowerMgmt", "Group.Allocate"]) expect(privileges).not.toContain(forbidden);
    }
  });

  it("uses the VE 9 guest-agent privileges on VE 9 and VM.Monitor before", () => {
    expect(automationPrivileges(9)).toContain("VM.GuestAgent.Audit");
    expect(automationPrivileges(9)).not.toContain("VM.Monitor");
    expect(automationPrivileges(8)).toContain("VM.Monitor");
  });
});

describe("known_hosts lines from the spec (for the provider's own SSH, which trusts on first use)", () => {
  it("ssh-keygen finds every node and the QDevice host with its spec key, and no other host", () => {
    const keygen = requireTool("ssh-keygen", "openssh-client");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-known-hosts-"));
    try {
      const file = path.join(dir, "known_hosts");
      fs.writeFileSync(file, specKnownHosts(prod.spec));
      for (const host of [...prod.spec.proxmox.nodes, ...(prod.spec.proxmox.qdevice ? [prod.spec.proxmox.qdevice] : [])]) {
        const run = runTool(keygen, ["-F", host.address, "-f", file]);
        expect(run.status, describeRun(run)).toBe(0);
        expect(run.stdout).toContain(`${host.address} ${host.sshHostKey.split(" ").slice(0, 2).join(" ")}`);
      }
      expect(runTool(keygen, ["-F", "10.20.0.99", "-f", file]).status).not.toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("clusterCaCommand (pure)", () => {
  it("reads the Proxmox cluster CA from the first node, pinned to its spec host key, printing nothing but a certificate", () => {
    const c = clusterCaCommand(prod.model, prod.spec);
    expect(c).toEqual({ name: "pve-root-ca-pve1", host: "10.20.0.11", hostKey: specHostKey(prod.spec, "10.20.0.11"), create: "openssl x509 -in /etc/pve/pve-root-ca.pem -outform PEM" });
  });
});
