import type { PolicyResource } from "@pulumi/policy";
import { stackPolicy } from "../kit/define-policy";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { RESOURCES, isResourceOf } from "../../components/resource-types";
import { FENCE_PVE_USER } from "../../components/storage/derive-storage-plan";
import { BACKUP_FENCE_PVE_USER } from "../../components/backup/cluster-plan";
import { FENCE_PRIVILEGES } from "../../components/storage/fence-privileges";


/**
 * Privileges that administer the access system, the nodes or the cluster rather than run VMs: with any of them
 * a leaked automation token is worth as much as an administrator's. Each with what it allows, for the finding.
 */
export const DENIED_PRIVILEGES: Record<string, string> = {
  "Permissions.Modify": "changes ACLs, so it can grant itself anything",
  "User.Modify": "creates and changes users and their tokens",
  "Group.Allocate": "creates groups and changes their members",
  "Realm.Allocate": "creates and changes authentication realms",
  "Realm.AllocateUser": "moves users between realms",
  "Sys.Modify":
    "changes the nodes' network, DNS, time and APT settings and the cluster's options and firewall; downloading an image by URL needs only Sys.AccessNetwork (Proxmox VE 8.2 and later)",
  "Sys.PowerMgmt": "shuts down and reboots the nodes",
  "Sys.Incoming": "accepts guests migrated in from other clusters",
  "Mapping.Modify": "maps host PCI and USB devices into VMs",
  "SDN.Allocate": "changes the software-defined network",
};

/** fence_pve's users: the object store's cluster and the backup tier's, each allowed on its own VMs only. */
const FENCING_USERS: readonly string[] = [FENCE_PVE_USER, BACKUP_FENCE_PVE_USER];

/**
 * The one kind of user that may have a password: fence_pve's (Debian's agent signs in with a password ticket, not
 * a token), and only while every grant it holds is a single VM's (`/vms/<id>`, not propagated) through a role
 * that can do no more than see and power VMs.
 */
function isFencingUser(user: PolicyResource, privilegesOfRole: ReadonlyMap<string, string[]>): boolean {
  if (!FENCING_USERS.includes(String(user.props.userId))) return false;
  const acls: unknown = user.props.acls;
  if (!Array.isArray(acls) || acls.length === 0) return false;
  return acls.every((a: unknown) => {
    const acl = a as { path?: unknown; roleId?: unknown; propagate?: unknown };
    const privileges = privilegesOfRole.get(String(acl.roleId));
    return /^\/vms\/[0-9]+$/.test(String(acl.path)) && flag(acl.propagate) !== true && privileges !== undefined
      && privileges.every((p) => (FENCE_PRIVILEGES as readonly string[]).includes(p));
  });
}

/** Built-in roles that grant nothing dangerous; any other built-in role is far wider than the automation needs. */
const HARMLESS_BUILTIN_ROLES = ["NoAccess", "PVEAuditor"];

function flag(value: unknown): boolean | undefined {
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  return undefined;
}

function privilegesOf(role: PolicyResource): string[] {
  const value: unknown = role.props.privileges;
  return Array.isArray(value) ? value.map(String) : [];
}

/**
 * Seed design, "Security" (privileges and access rights per part of the system) and the adopted least-privilege
 * policy (document 004). The automation identity the stack creates holds a custom role without any privilege
 * that administers users, permissions, realms or the nodes' system; every ACL the stack grants uses such a role;
 * its API token is privilege-separated (it holds only what its own ACL grants); the user has no password (fence_pve's
 * user alone may, bounded as `isFencingUser` says).
 */
export function automationLeastPrivilegePolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "automation-least-privilege",
    description:
      "The automation role holds no privilege that administers users, permissions, realms or the nodes' system (Permissions.Modify, User.Modify, Sys.Modify, Sys.PowerMgmt, ...), every ACL the stack grants uses such a role, the API token is privilege-separated and the automation user has no password.",
    requirements: ["IBAC-ACC-003"],
    severity: "high",
    enforcementLevel: "mandatory",
  }, (_view, resources, report) => {
    const roles = resources.filter((r) => isResourceOf(r, RESOURCES.RoleLegacy));
    const roleIds = new Set(roles.map((r) => String(r.props.roleId)));
    for (const role of roles) {
      const denied = privilegesOf(role).filter((p) => p in DENIED_PRIVILEGES);
      if (denied.length) {
        reportFinding(report, {
          subject: `privileges of role ${String(role.props.roleId)}`,
          observed: denied.map((p) => `${p} (${DENIED_PRIVILEGES[p]})`).join("; "),
          expected: `none of ${Object.keys(DENIED_PRIVILEGES).join(", ")}`,
          urn: role.urn,
          location: "inputs.privileges",
        });
      }
    }

    const grants: { resource: PolicyResource; roleId: string; location: string }[] = [
      ...resources.filter((r) => isResourceOf(r, RESOURCES.AclLegacy)).map((r) => ({ resource: r, roleId: String(r.props.roleId), location: "inputs.roleId" })),
      ...resources.filter((r) => isResourceOf(r, RESOURCES.UserLegacy)).flatMap((r) => {
        const acls: unknown = r.props.acls;
        return (Array.isArray(acls) ? acls : []).map((a: unknown, i) => ({ resource: r, roleId: String((a as { roleId?: unknown }).roleId), location: `inputs.acls[${i}].roleId` }));
      }),
    ];
    for (const g of grants) {
      // A role id that is an output not known yet (`pulumi preview` of a new stack) is checked on the next run.
      if (g.roleId === "undefined" || g.roleId === "null") continue;
      if (!roleIds.has(g.roleId) && !HARMLESS_BUILTIN_ROLES.includes(g.roleId)) {
        reportFinding(report, {
          subject: `ACL of ${g.resource.name}`,
          observed: `role ${g.roleId}, which the stack does not define (a built-in role wider than the automation needs)`,
          expected: "a role the stack defines, checked by this policy",
          urn: g.resource.urn,
          location: g.location,
        });
      }
    }

    for (const token of resources.filter((r) => isResourceOf(r, RESOURCES.TokenLegacy))) {
      if (flag(token.props.privilegesSeparation) !== true) {
        reportFinding(report, {
          subject: `API token ${String(token.props.userId)}!${String(token.props.tokenName)}`,
          observed: token.props.privilegesSeparation === undefined ? "privilegesSeparation not set" : `privilegesSeparation: ${String(token.props.privilegesSeparation)} (the token has every privilege of its user)`,
          expected: "privilegesSeparation: true (the token holds only what its own ACL grants)",
          urn: token.urn,
          location: "inputs.privilegesSeparation",
        });
      }
    }
    const privilegesOfRole = new Map(roles.map((r) => [String(r.props.roleId), privilegesOf(r)]));
    for (const user of resources.filter((r) => isResourceOf(r, RESOURCES.UserLegacy))) {
      const password: unknown = user.props.password;
      if (password !== undefined && password !== null && password !== "" && !isFencingUser(user, privilegesOfRole)) {
        reportFinding(report, { subject: `user ${String(user.props.userId)}`, observed: "a password is set", expected: "no password: the automation signs in with its API token only", urn: user.urn, location: "inputs.password" });
      }
    }
  });
}
