import { describe, expect, it } from "vitest";
import type { PolicyResource } from "@pulumi/policy";
import { findingsOf, mutate, stackResources, editUserData } from "../../test/fixtures/policy-fixture";
import { sshKeyOnlyPolicy } from "./ssh-key-only";
import { automationLeastPrivilegePolicy } from "./automation-least-privilege";
import { RESOURCES, isResourceOf, type ResourceClass } from "../../components/resource-types";

const DROP_IN = "/etc/ssh/sshd_config.d/10-ibac-hardening.conf";
const ofType = (resourceClass: ResourceClass) => (r: PolicyResource) => isResourceOf(r, resourceClass);

const automationRole = (r: PolicyResource): boolean => isResourceOf(r, RESOURCES.RoleLegacy) && r.props.roleId === "IbacAutomation";

describe("access policies on the prod stack's offline plan (pulumi.runtime.setMocks, not a deployment)", () => {
  it("ssh-key-only: prod passes; SSH password login in db-1's sshd drop-in fails, naming the snippet", async () => {
    expect(await findingsOf(sshKeyOnlyPolicy(), await stackResources("prod"))).toEqual([]);
    const resources = editUserData(await stackResources("prod"), "db-1-user-data-pve1", (t) => t.replace("PasswordAuthentication no", "PasswordAuthentication yes"));
    const findings = await findingsOf(sshKeyOnlyPolicy(), resources);
    expect(findings).toEqual([
      expect.objectContaining({ subject: "SSH password login on db-1", observed: `PasswordAuthentication yes in ${DROP_IN}`, expected: "PasswordAuthentication no in an sshd drop-in", location: `user-data write_files ${DROP_IN}` }),
    ]);
    expect(findings[0].urn).toContain("db-1-user-data-pve1");
  });

  it("ssh-key-only: ssh_pwauth on, a user with a password, and root login under a Match block fail", async () => {
    const pwauth = editUserData(await stackResources("prod"), "api-2-user-data-pve2", (t) => t.replace("ssh_pwauth: false", "ssh_pwauth: true"));
    expect(await findingsOf(sshKeyOnlyPolicy(), pwauth)).toEqual([
      expect.objectContaining({ subject: "SSH password login on api-2", observed: "ssh_pwauth: true", expected: "ssh_pwauth: false", location: "user-data ssh_pwauth" }),
    ]);
    const password = editUserData(await stackResources("prod"), "mon-1-user-data-pve1", (t) => t.replace("    lock_passwd: true\n", "    lock_passwd: false\n    plain_text_passwd: hunter2\n"));
    expect(await findingsOf(sshKeyOnlyPolicy(), password)).toEqual([
      expect.objectContaining({ subject: "password of user ibacops on mon-1", observed: "plain_text_passwd set, lock_passwd: false", location: "user-data users[ibacops]" }),
    ]);
    const match = editUserData(await stackResources("prod"), "vpn-1-user-data-pve1", (t) => t.replace("      MaxStartups 10:30:60\n", "      MaxStartups 10:30:60\n      Match Address 10.20.9.0/24\n        PermitRootLogin yes\n"));
    expect(await findingsOf(sshKeyOnlyPolicy(), match)).toEqual([
      expect.objectContaining({ subject: "SSH root login on vpn-1", observed: `PermitRootLogin yes under Match Address 10.20.9.0/24 in ${DROP_IN}` }),
    ]);
  });

  it("ssh-key-only: forwarding on, no banner, lax authentication limits and a NIST curve in db-2's drop-in each fail, naming the setting", async () => {
    const edit = async (from: string, to: string) => editUserData(await stackResources("prod"), "db-2-user-data-pve2", (t) => t.replace(`      ${from}\n`, to ? `      ${to}\n` : ""));
    expect(await findingsOf(sshKeyOnlyPolicy(), await edit("AllowTcpForwarding no", "AllowTcpForwarding yes"))).toEqual([
      expect.objectContaining({ subject: "SSH TCP forwarding on db-2", observed: `AllowTcpForwarding yes in ${DROP_IN}`, expected: "AllowTcpForwarding no in an sshd drop-in" }),
    ]);
    expect(await findingsOf(sshKeyOnlyPolicy(), await edit("Banner /etc/issue.net", ""))).toEqual([
      expect.objectContaining({ subject: "SSH login banner on db-2", observed: "Banner not set by the stack (sshd's default)", expected: "Banner /etc/issue.net in an sshd drop-in" }),
    ]);
    expect(await findingsOf(sshKeyOnlyPolicy(), await edit("MaxAuthTries 3", "MaxAuthTries 10"))).toEqual([
      expect.objectContaining({ subject: "SSH authentication attempts on db-2", observed: `MaxAuthTries 10 in ${DROP_IN}`, expected: "MaxAuthTries from 1 to 3 in an sshd drop-in" }),
    ]);
    const kex = await findingsOf(sshKeyOnlyPolicy(), editUserData(await stackResources("prod"), "db-2-user-data-pve2", (t) => t.replace(/(      KexAlgorithms \S+)\n/, "$1,ecdh-sha2-nistp256\n")));
    expect(kex).toEqual([expect.objectContaining({ subject: "SSH KexAlgorithms on db-2", observed: `KexAlgorithms offers ecdh-sha2-nistp256 in ${DROP_IN}` })]);
    const macs = await findingsOf(sshKeyOnlyPolicy(), await edit("MACs hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,umac-128-etm@openssh.com", "MACs +hmac-sha1"));
    expect(macs).toEqual([expect.objectContaining({ subject: "SSH MACs on db-2", observed: `MACs offers +hmac-sha1 in ${DROP_IN}` })]);
  });

  it("automation-least-privilege: prod passes; the role granted Sys.Modify fails, naming the role", async () => {
    expect(await findingsOf(automationLeastPrivilegePolicy(), await stackResources("prod"))).toEqual([]);
    const resources = mutate(await stackResources("prod"), automationRole, (r) => { r.props.privileges = [...(r.props.privileges as string[]), "Sys.Modify"]; });
    const findings = await findingsOf(automationLeastPrivilegePolicy(), resources);
    expect(findings).toEqual([
      expect.objectContaining({
        subject: "privileges of role IbacAutomation",
        observed: "Sys.Modify (changes the nodes' network, DNS, time and APT settings and the cluster's options and firewall; downloading an image by URL needs only Sys.AccessNetwork (Proxmox VE 8.2 and later))",
        location: "inputs.privileges",
      }),
    ]);
    expect(findings[0].urn).toContain("ibac-cluster-automation-role");
  });

  it("automation-least-privilege: Permissions.Modify on the role fails", async () => {
    const resources = mutate(await stackResources("prod"), automationRole, (r) => { r.props.privileges = [...(r.props.privileges as string[]), "Permissions.Modify"]; });
    expect(await findingsOf(automationLeastPrivilegePolicy(), resources)).toEqual([
      expect.objectContaining({ subject: "privileges of role IbacAutomation", observed: "Permissions.Modify (changes ACLs, so it can grant itself anything)" }),
    ]);
  });

  it("automation-least-privilege: a token without privilege separation, a password, and an Administrator ACL fail", async () => {
    const token = mutate(await stackResources("prod"), ofType(RESOURCES.TokenLegacy), (r) => { r.props.privilegesSeparation = false; });
    expect(await findingsOf(automationLeastPrivilegePolicy(), token)).toEqual([
      expect.objectContaining({ subject: "API token ibac-automation@pve!pulumi", observed: "privilegesSeparation: false (the token has every privilege of its user)", location: "inputs.privilegesSeparation" }),
    ]);
    const password = mutate(await stackResources("prod"), (r) => ofType(RESOURCES.UserLegacy)(r) && r.props.userId === "ibac-automation@pve", (r) => { r.props.password = "[secret]"; });
    expect(await findingsOf(automationLeastPrivilegePolicy(), password)).toEqual([
      expect.objectContaining({ subject: "user ibac-automation@pve", observed: "a password is set", location: "inputs.password" }),
    ]);
    const admin = mutate(await stackResources("prod"), ofType(RESOURCES.AclLegacy), (r) => { r.props.roleId = "Administrator"; });
    expect(await findingsOf(automationLeastPrivilegePolicy(), admin)).toEqual([
      expect.objectContaining({ subject: "ACL of ibac-cluster-automation-token-acl", observed: expect.stringMatching(/^role Administrator, /), location: "inputs.roleId" }),
    ]);
  });

  it("automation-least-privilege: fence_pve's user may hold a password only while it can do no more than see and power the storage VMs", async () => {
    const fenceUser = (r: PolicyResource): boolean => ofType(RESOURCES.UserLegacy)(r) && r.props.userId === "ibac-fence@pve";
    expect((await stackResources("prod")).filter(fenceUser).map((r) => r.props.acls)).toEqual([[
      { path: "/vms/1200", roleId: "IbacFence", propagate: false },
      { path: "/vms/1201", roleId: "IbacFence", propagate: false },
    ]]);
    const everywhere = mutate(await stackResources("prod"), fenceUser, (r) => { r.props.acls = [{ path: "/", roleId: "IbacFence", propagate: true }]; });
    expect(await findingsOf(automationLeastPrivilegePolicy(), everywhere)).toEqual([
      expect.objectContaining({ subject: "user ibac-fence@pve", observed: "a password is set", location: "inputs.password" }),
    ]);
    const wider = mutate(await stackResources("prod"), (r) => ofType(RESOURCES.RoleLegacy)(r) && r.props.roleId === "IbacFence", (r) => { r.props.privileges = ["VM.Audit", "VM.PowerMgmt", "VM.Config.Disk"]; });
    expect(await findingsOf(automationLeastPrivilegePolicy(), wider)).toEqual([
      expect.objectContaining({ subject: "user ibac-fence@pve", observed: "a password is set" }),
    ]);
  });

  it("automation-least-privilege: the backup cluster's fence_pve user likewise, on the backup VMs only", async () => {
    const fenceUser = (r: PolicyResource): boolean => ofType(RESOURCES.UserLegacy)(r) && r.props.userId === "ibac-fence-bkp@pve";
    const acls = (await stackResources("prod")).filter(fenceUser).map((r) => r.props.acls);
    expect(acls).toHaveLength(1);
    expect(acls[0]).toEqual(expect.arrayContaining([expect.objectContaining({ roleId: "IbacFenceBackup", propagate: false })]));
    expect(await findingsOf(automationLeastPrivilegePolicy(), await stackResources("prod"))).toEqual([]);
    const everywhere = mutate(await stackResources("prod"), fenceUser, (r) => { r.props.acls = [{ path: "/", roleId: "IbacFenceBackup", propagate: true }]; });
    expect(await findingsOf(automationLeastPrivilegePolicy(), everywhere)).toEqual([
      expect.objectContaining({ subject: "user ibac-fence-bkp@pve", observed: "a password is set", location: "inputs.password" }),
    ]);
  });

  it("declares the names and requirement ids the catalogue refers to", () => {
    expect([sshKeyOnlyPolicy(), automationLeastPrivilegePolicy()].map(({ name, requirements, severity, enforcementLevel }) => ({ name, requirements, severity, enforcementLevel }))).toEqual([
      { name: "ssh-key-only", requirements: ["IBAC-ACC-002"], severity: "critical", enforcementLevel: "mandatory" },
      { name: "automation-least-privilege", requirements: ["IBAC-ACC-003"], severity: "high", enforcementLevel: "mandatory" },
    ]);
  });

  it.each(["staging", "lab"])("%s passes both access policies", async (stack) => {
    const resources = await stackResources(stack);
    expect(await findingsOf(sshKeyOnlyPolicy(), resources)).toEqual([]);
    expect(await findingsOf(automationLeastPrivilegePolicy(), resources)).toEqual([]);
  });
});
