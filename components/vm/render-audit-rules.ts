// The audit rules every VM boots with (issue 11, class 7: auditd was installed with none). CIS Debian Linux 12
// Benchmark, section 6.2.3 (4.1.3 in v1.0.0) style: who changes identity, privilege, SSH, time and network
// settings, and every command an administrator runs as someone else. Each syscall rule comes in a b64 and a
// b32 twin, because a 64-bit kernel runs 32-bit binaries through another syscall table that a b64 rule does not see.

/** Where augenrules (run by Debian's auditd.service on start) finds the rules; root-only like the directory. */
export const AUDIT_RULES_PATH = "/etc/audit/rules.d/ibac.rules";

const ARCHES = ["b64", "b32"] as const;

/** A syscall rule for both ABIs. */
function syscalls(calls: readonly string[], key: string, extra = ""): string[] {
  return ARCHES.map((arch) => `-a always,exit -F arch=${arch} -S ${calls.join(",")}${extra} -k ${key}`);
}

function watches(paths: readonly string[], key: string): string[] {
  return paths.map((p) => `-w ${p} -p wa -k ${key}`);
}

/**
 * The rules file. It ends with `-e 2` (immutable until reboot): root cannot then delete or change the
 * rules, or stop auditing, without a reboot, which itself shows. The cost is that new rules need a reboot,
 * which suits a file cloud-init writes once and never changes.
 */
export function renderAuditRules(): string {
  return [
    "## Managed by the ibac toolkit (cloud-init bootstrap). CIS Debian 12 style.",
    "## Commands run as another user by a logged-in person (sudo): the administrators' commands.",
    ...syscalls(["execve"], "admin-commands", " -C euid!=uid -F auid!=unset"),
    "## Who may become root, and how.",
    ...watches(["/etc/sudoers", "/etc/sudoers.d"], "scope"),
    "## Accounts and groups.",
    ...watches(["/etc/group", "/etc/passwd", "/etc/gshadow", "/etc/shadow", "/etc/security/opasswd"], "identity"),
    "## The SSH server's configuration and keys.",
    ...watches(["/etc/ssh/sshd_config", "/etc/ssh/sshd_config.d"], "sshd"),
    "## Time: the clock every log line and certificate check relies on.",
    ...syscalls(["adjtimex", "settimeofday", "clock_settime"], "time-change"),
    ...watches(["/etc/localtime"], "time-change"),
    "## Host name and network identity.",
    ...syscalls(["sethostname", "setdomainname"], "system-locale"),
    ...watches(["/etc/issue", "/etc/issue.net", "/etc/hosts", "/etc/network"], "system-locale"),
    "## Kernel modules loaded or removed by a logged-in person.",
    ...syscalls(["init_module", "finit_module", "delete_module"], "kernel-modules", " -F auid!=unset"),
    "## Logins and sessions.",
    ...watches(["/var/log/lastlog", "/var/run/faillock"], "logins"),
    ...watches(["/var/run/utmp", "/var/log/wtmp", "/var/log/btmp"], "session"),
    "## The audit configuration itself.",
    ...watches(["/etc/audit"], "audit-config"),
    "## Immutable until reboot: must be the last rule.",
    "-e 2",
    "",
  ].join("\n");
}
