import type { ReportViolation } from "@pulumi/policy";
import { parse } from "yaml";
import { USER_DATA_PATH_IN_VM } from "../../components/vm/component";
import { stackPolicy } from "../kit/define-policy";
import { vmUrn } from "../kit/platform-view";
import { deliveredFiles, type DeliveredFile } from "../kit/rendered-files";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { fileKey, pendingFiles } from "../kit/pending-files";
import { isSshdConfig, sshdSettings, type SshdFile } from "./sshd-config";

/** The sshd settings that make SSH key-only, as sshd_config(5) spells the values. */
export const REQUIRED_SSHD: Record<string, { value: string; subject: string; shown: string }> = {
  passwordauthentication: { value: "no", subject: "SSH password login", shown: "PasswordAuthentication" },
  kbdinteractiveauthentication: { value: "no", subject: "SSH keyboard-interactive login", shown: "KbdInteractiveAuthentication" },
  permitrootlogin: { value: "no", subject: "SSH root login", shown: "PermitRootLogin" },
};

/**
 * The rest of the sshd hardening (issue 11, class 7), judged from the same files: no tunnels through a VM,
 * the legal notice shown before login, authentication attempts bounded.
 */
export const HARDENED_SSHD: Record<string, { value: string; subject: string; shown: string }> = {
  allowtcpforwarding: { value: "no", subject: "SSH TCP forwarding", shown: "AllowTcpForwarding" },
  allowagentforwarding: { value: "no", subject: "SSH agent forwarding", shown: "AllowAgentForwarding" },
  x11forwarding: { value: "no", subject: "SSH X11 forwarding", shown: "X11Forwarding" },
  permittunnel: { value: "no", subject: "SSH tunnel devices", shown: "PermitTunnel" },
  banner: { value: "/etc/issue.net", subject: "SSH login banner", shown: "Banner" },
};

/** Upper bounds on sshd's authentication limits (sshd's defaults are 6 tries and 120 s). */
export const SSHD_LIMITS: Record<string, { max: number; subject: string; shown: string }> = {
  maxauthtries: { max: 3, subject: "SSH authentication attempts", shown: "MaxAuthTries" },
  logingracetime: { max: 60, subject: "SSH login grace time", shown: "LoginGraceTime" },
};

/**
 * Algorithms an auditor's tool (ssh-audit) fails or warns about: NIST curves, SHA-1, CBC, 64-bit tags, MD5,
 * the 2048-bit fixed group and the `ssh-rsa` (SHA-1) signature. The lists must be set: sshd's defaults offer
 * several of them.
 */
export const WEAK_SSH_ALGORITHM = /nistp|sha1|cbc|md5|-96|umac-64|^ssh-rsa$|^ssh-dss$|diffie-hellman-group1[4-]?-|diffie-hellman-group14|^diffie-hellman-group-exchange-sha1$/;
const ALGORITHM_LISTS: Record<string, string> = { kexalgorithms: "KexAlgorithms", ciphers: "Ciphers", macs: "MACs", hostkeyalgorithms: "HostKeyAlgorithms" };

/** Keys of a cloud-config user that set a password. */
const USER_PASSWORD_KEYS = ["passwd", "hashed_passwd", "plain_text_passwd"];

function isFalse(value: unknown): boolean {
  return value === false || (typeof value === "string" && ["false", "no", "0", "off"].includes(value.trim().toLowerCase()));
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The sshd files a cloud-config writes (`write_files`), decoded; gzip content cannot be read and is reported. */
function writtenSshdFiles(config: Record<string, unknown>, file: DeliveredFile): { files: SshdFile[]; unreadable: string[] } {
  const files: SshdFile[] = [];
  const unreadable: string[] = [];
  const entries = Array.isArray(config.write_files) ? config.write_files : [];
  for (const entry of entries) {
    const e = record(entry);
    if (!e || typeof e.path !== "string" || !isSshdConfig(e.path)) continue;
    const encoding = typeof e.encoding === "string" ? e.encoding.toLowerCase() : "text/plain";
    const content = typeof e.content === "string" ? e.content : "";
    if (["b64", "base64"].includes(encoding)) files.push({ path: e.path, content: Buffer.from(content, "base64").toString("utf8"), urn: file.urn, via: "user-data write_files" });
    else if (["text/plain", ""].includes(encoding)) files.push({ path: e.path, content, urn: file.urn, via: "user-data write_files" });
    else unreadable.push(`${e.path} (${encoding})`);
  }
  return { files, unreadable };
}

/** A parsed cloud-config, or why it could not be parsed. */
type ParsedUserData = { config: Record<string, unknown> } | { error: string };

/**
 * Parses user data once per distinct text: each VM carries the same snippet on every node it may run on, so a
 * large cluster has many copies of each.
 */
function parseUserData(text: string, cache: Map<string, ParsedUserData>): ParsedUserData {
  let parsed = cache.get(text);
  if (!parsed) {
    try {
      parsed = { config: record(parse(text)) ?? {} };
    } catch (e) {
      parsed = { error: e instanceof Error ? e.message : String(e) };
    }
    cache.set(text, parsed);
  }
  return parsed;
}

function checkUserData(file: DeliveredFile, sshdFiles: readonly DeliveredFile[], cache: Map<string, ParsedUserData>, report: ReportViolation): void {
  const vm = file.vm;
  if (!file.content.startsWith("#cloud-config")) {
    reportFinding(report, { subject: `SSH login settings of ${vm}`, observed: "user data that is not a #cloud-config document", expected: "a #cloud-config with ssh_pwauth: false and the sshd hardening drop-in", urn: file.urn, location: USER_DATA_PATH_IN_VM });
    return;
  }
  const parsed = parseUserData(file.content, cache);
  if ("error" in parsed) {
    reportFinding(report, { subject: `SSH login settings of ${vm}`, observed: `unreadable cloud-config: ${parsed.error}`, expected: "valid YAML", urn: file.urn, location: USER_DATA_PATH_IN_VM });
    return;
  }
  const config = parsed.config;
  const at = (key: string): string => `user-data ${key}`;
  if (!isFalse(config.ssh_pwauth)) {
    reportFinding(report, { subject: `SSH password login on ${vm}`, observed: "ssh_pwauth" in config ? `ssh_pwauth: ${String(config.ssh_pwauth)}` : "ssh_pwauth not set (the image's default)", expected: "ssh_pwauth: false", urn: file.urn, location: at("ssh_pwauth") });
  }
  for (const key of ["password", "chpasswd"]) {
    if (key in config) reportFinding(report, { subject: `passwords on ${vm}`, observed: `${key} set`, expected: `no ${key}: accounts log in with keys only`, urn: file.urn, location: at(key) });
  }
  const users = Array.isArray(config.users) ? config.users : [];
  for (const u of users) {
    const user = record(u);
    if (!user) continue;
    const name = typeof user.name === "string" ? user.name : "?";
    const set = USER_PASSWORD_KEYS.filter((k) => k in user);
    if (set.length || user.lock_passwd === false) {
      reportFinding(report, {
        subject: `password of user ${name} on ${vm}`,
        observed: [...set.map((k) => `${k} set`), ...(user.lock_passwd === false ? ["lock_passwd: false"] : [])].join(", "),
        expected: "no password (lock_passwd: true, none of passwd, hashed_passwd, plain_text_passwd)",
        urn: file.urn,
        location: at(`users[${name}]`),
      });
    }
  }

  const written = writtenSshdFiles(config, file);
  for (const u of written.unreadable) {
    reportFinding(report, { subject: `sshd configuration of ${vm}`, observed: `${u} cannot be read`, expected: "plain or base64 content", urn: file.urn, location: at("write_files") });
  }
  const delivered: SshdFile[] = sshdFiles.filter((f) => f.vm === vm).map((f) => ({ path: f.path, content: f.content, urn: f.urn, via: "delivered file" }));
  const settings = sshdSettings([...written.files, ...delivered], [...Object.keys(REQUIRED_SSHD), ...Object.keys(HARDENED_SSHD), ...Object.keys(SSHD_LIMITS), ...Object.keys(ALGORITHM_LISTS)]);
  for (const [keyword, limit] of Object.entries(SSHD_LIMITS)) {
    const global = settings.find((s) => s.keyword === keyword && s.match === undefined);
    const value = global ? Number.parseInt(global.value, 10) : Number.NaN;
    if (!global || !(value >= 1 && value <= limit.max) || !/^[0-9]+$/.test(global.value)) {
      reportFinding(report, { subject: `${limit.subject} on ${vm}`, observed: global ? `${limit.shown} ${global.value} in ${global.file.path}` : `${limit.shown} not set by the stack (sshd's default)`, expected: `${limit.shown} from 1 to ${limit.max} in an sshd drop-in`, urn: global?.file.urn ?? file.urn, location: global ? `${global.file.via} ${global.file.path}` : at("write_files") });
    }
  }
  for (const [keyword, shown] of Object.entries(ALGORITHM_LISTS)) {
    const global = settings.find((s) => s.keyword === keyword && s.match === undefined);
    const weak = global ? global.value.split(",").filter((a) => WEAK_SSH_ALGORITHM.test(a) || /^[+^-]/.test(a)) : [];
    if (!global || weak.length) {
      reportFinding(report, { subject: `SSH ${shown} on ${vm}`, observed: global ? `${shown} offers ${weak.join(", ")} in ${global.file.path}` : `${shown} not set by the stack (sshd's defaults include NIST curves or SHA-1)`, expected: `${shown} listing only algorithms ssh-audit's hardened policy accepts (no NIST curves, SHA-1, CBC or MD5; no +/-/^ edits of the defaults)`, urn: global?.file.urn ?? file.urn, location: global ? `${global.file.via} ${global.file.path}` : at("write_files") });
    }
  }
  for (const [keyword, required] of Object.entries({ ...REQUIRED_SSHD, ...HARDENED_SSHD })) {
    const subject = `${required.subject} on ${vm}`;
    const expected = `${required.shown} ${required.value} in an sshd drop-in`;
    const global = settings.find((s) => s.keyword === keyword && s.match === undefined);
    if (!global) {
      reportFinding(report, { subject, observed: `${required.shown} not set by the stack (sshd's default)`, expected, urn: file.urn, location: at("write_files") });
    } else if (global.value !== required.value) {
      reportFinding(report, { subject, observed: `${required.shown} ${global.value} in ${global.file.path}`, expected, urn: global.file.urn, location: `${global.file.via} ${global.file.path}` });
    }
    for (const s of settings.filter((x) => x.keyword === keyword && x.match !== undefined && x.value !== required.value)) {
      reportFinding(report, { subject, observed: `${required.shown} ${s.value} under Match ${s.match ?? ""} in ${s.file.path}`, expected, urn: s.file.urn, location: `${s.file.via} ${s.file.path}` });
    }
  }
}

/**
 * Seed design, "Security" (instances accessible only to authenticated users) and the adopted host-hardening
 * policy (document 004: no root login, no passwords). Every VM's cloud-init turns SSH password authentication
 * off and sets no password, and the sshd drop-in it writes (read before cloud-init's own) allows neither
 * passwords, keyboard-interactive nor root logins.
 */
export function sshKeyOnlyPolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "ssh-key-only",
    description:
      "SSH into every VM is by key only: cloud-init sets ssh_pwauth: false and no password, and the sshd configuration says PasswordAuthentication no, KbdInteractiveAuthentication no and PermitRootLogin no; it also turns TCP, agent and X11 forwarding and tunnels off, shows the login banner, bounds MaxAuthTries and LoginGraceTime, and lists only strong key-exchange, cipher, MAC and host-key algorithms.",
    requirements: ["IBAC-ACC-002"],
    severity: "critical",
    enforcementLevel: "mandatory",
  }, async (view, resources, report) => {
    const files = await deliveredFiles(resources, view.model);
    const userData = files.filter((f) => f.path === USER_DATA_PATH_IN_VM);
    const pending = await pendingFiles(resources, view.model);
    for (const vm of view.model.vms) {
      if (!userData.some((f) => f.vm === vm.name) && !pending.has(fileKey(vm.name, USER_DATA_PATH_IN_VM))) {
        const urn = vmUrn(resources, vm.name, view.urn);
        reportFinding(report, { subject: `SSH login settings of ${vm.name}`, observed: "no cloud-init user data", expected: "a #cloud-config with ssh_pwauth: false and the sshd hardening drop-in", urn, location: USER_DATA_PATH_IN_VM });
      }
    }
    const sshdFiles = files.filter((f) => isSshdConfig(f.path));
    const cache = new Map<string, ParsedUserData>();
    for (const f of userData) checkUserData(f, sshdFiles, cache, report);
  });
}
