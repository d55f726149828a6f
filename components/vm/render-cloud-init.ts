import { Document, isSeq } from "yaml";
import type { PlatformSpec } from "../spec/schema";
import type { VmPlan } from "../model/types";
import { hasLocalFileSystem } from "../tiers/registry";

/** What the first-boot user-data of one VM is rendered from. */
export interface CloudInitArgs {
  /** The VM as the model planned it; its name and FQDN become the guest's host name. */
  vm: VmPlan;
  /** The platform spec: site (time zone, NTP), Debian release and the human admins come from here. */
  spec: PlatformSpec;
  /**
   * OpenSSH public key (one line, e.g. `ssh-ed25519 AAAA... comment`) of the toolkit's automation user,
   * as generated with @pulumi/tls. A trailing newline is tolerated.
   */
  deployPublicKey: string;
}

/** The automation user that configuration delivery and runbooks connect as. */
export const DEPLOY_USER = "ibac-deploy";

/**
 * The only group sshd lets in. A dedicated group, rather than `sudo`, keeps "may log in over SSH" apart
 * from "may become root", so a package or a person adding someone to `sudo` does not open SSH to them.
 */
export const SSH_LOGIN_GROUP = "ibac-ssh";

export const SSHD_HARDENING_PATH = "/etc/ssh/sshd_config.d/10-ibac-hardening.conf";
export const AUTO_UPGRADES_PATH = "/etc/apt/apt.conf.d/20auto-upgrades";
export const UNATTENDED_ORIGINS_PATH = "/etc/apt/apt.conf.d/52ibac-unattended-upgrades";

export const BOOTSTRAP_PACKAGES = ["qemu-guest-agent", "chrony", "unattended-upgrades", "apt-listchanges", "nftables", "auditd"] as const;

/** Services started on first boot; one runcmd entry each, so one that fails does not keep the others down. */
export const BOOTSTRAP_SERVICES = ["qemu-guest-agent", "chrony", "unattended-upgrades", "auditd"] as const;

type DebianRelease = PlatformSpec["debian"]["release"];

/** A Record over the schema's release enum, so adding a release to the schema fails to compile here. */
export const DEBIAN_CODENAMES: Record<DebianRelease, string> = {
  10: "buster",
  11: "bullseye",
  12: "bookworm",
  13: "trixie",
};

// Same admission rule as the spec's admin keys: a private key or a multi-line paste must never reach a VM.
const OPENSSH_PUBLIC_KEY = /^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|ssh-rsa) [A-Za-z0-9+/=]+( [^\r\n]*)?$/;

// Names cloud-init would silently merge with an existing account, or that the deploy user already takes.
const RESERVED_USER_NAMES = new Set(["root", DEPLOY_USER]);

// Admins have no password (lock_passwd), so sudo that asks for one would leave them unable to administer.
const SUDO_NOPASSWD = "ALL=(ALL:ALL) NOPASSWD:ALL";

/** The user-data document, before serialisation; the shape cloud-init's schema describes. */
interface CloudConfig {
  hostname: string;
  fqdn: string;
  manage_etc_hosts: boolean;
  timezone: string;
  groups: string[];
  users: CloudConfigUser[];
  disable_root: boolean;
  ssh_pwauth: boolean;
  package_update: boolean;
  package_upgrade: boolean;
  packages: string[];
  ntp: { enabled: boolean; ntp_client: string; servers: string[] };
  write_files: CloudConfigFile[];
  fs_setup?: CloudConfigFilesystem[];
  mounts?: string[][];
  runcmd: string[][];
}

/** One entry of the user-data `users` list, as this renderer writes it. */
export interface CloudConfigUser {
  name: string;
  groups: string[];
  shell: string;
  lock_passwd: boolean;
  sudo: string;
  ssh_authorized_keys: string[];
}

/** One entry of the user-data `write_files` list, as this renderer writes it. */
export interface CloudConfigFilesystem {
  label: string;
  filesystem: string;
  device: string;
  partition: string;
  overwrite: boolean;
}

/** Where a local data disk is mounted: the database paths (components/database/paths.ts) live under it. */
export const DATA_DISK_MOUNT = "/srv";
/** The filesystem label the mount finds the data disk by. */
export const DATA_DISK_LABEL = "ibac-data";
/**
 * The data disk as the guest sees it: Proxmox's second virtio-scsi disk (scsi1) has this stable by-id
 * name, whatever order the kernel probes the disks in.
 */
export const DATA_DISK_DEVICE = "/dev/disk/by-id/scsi-0QEMU_QEMU_HARDDISK_drive-scsi1";

/**
 * The data disk's filesystem and mount: ext4 made once (`overwrite: false` never reformats a disk that has
 * one), mounted at /srv by label with `nofail`, so a missing disk shows in monitoring rather than stopping
 * the boot. Without it, MariaDB's data and backups would land on the small system disk.
 */
export function dataDiskSetup(vm: VmPlan): Pick<CloudConfig, "fs_setup" | "mounts"> {
  // A DRBD disk stays raw: DRBD puts the file system on its replicated device, never on the disk itself.
  if (!vm.dataDiskGiB || !hasLocalFileSystem(vm.tier)) return {};
  return {
    fs_setup: [{ label: DATA_DISK_LABEL, filesystem: "ext4", device: DATA_DISK_DEVICE, partition: "none", overwrite: false }],
    mounts: [[`LABEL=${DATA_DISK_LABEL}`, DATA_DISK_MOUNT, "ext4", "defaults,nofail,x-systemd.device-timeout=30s", "0", "2"]],
  };
}

export interface CloudConfigFile {
  path: string;
  owner: string;
  permissions: string;
  content: string;
}

/**
 * The `#cloud-config` user-data a VM first boots with: identity, accounts, base packages, time and
 * hardening. Bootstrap only: service configuration arrives later over SSH, because any change here makes
 * the Proxmox provider replace the VM. Pure and byte-stable for the same VM and spec.
 */
export function renderCloudInit(args: CloudInitArgs): string {
  const { vm, spec } = args;
  const deployKey = args.deployPublicKey.trim();
  if (!OPENSSH_PUBLIC_KEY.test(deployKey)) {
    throw new Error(`renderCloudInit(${vm.name}): deployPublicKey is not a one-line OpenSSH public key`);
  }
  const seen = new Set<string>();
  for (const admin of spec.admins) {
    if (RESERVED_USER_NAMES.has(admin.name)) throw new Error(`renderCloudInit(${vm.name}): admin name "${admin.name}" is reserved`);
    if (seen.has(admin.name)) throw new Error(`renderCloudInit(${vm.name}): admin "${admin.name}" is listed twice`);
    seen.add(admin.name);
  }

  const admins: CloudConfigUser[] = spec.admins.map((admin) => ({
    name: admin.name,
    groups: ["sudo", SSH_LOGIN_GROUP],
    shell: "/bin/bash",
    lock_passwd: true,
    sudo: SUDO_NOPASSWD,
    ssh_authorized_keys: [...admin.sshKeys],
  }));
  const deployUser: CloudConfigUser = {
    name: DEPLOY_USER,
    // Not in `sudo`: its root access is the NOPASSWD rule alone, which is what unattended delivery needs.
    groups: [SSH_LOGIN_GROUP],
    shell: "/bin/bash",
    lock_passwd: true,
    sudo: SUDO_NOPASSWD,
    ssh_authorized_keys: [deployKey],
  };

  const config: CloudConfig = {
    hostname: vm.name,
    fqdn: vm.fqdn,
    manage_etc_hosts: true,
    timezone: spec.site.timeZone,
    groups: [SSH_LOGIN_GROUP],
    // No "default" entry: the image's stock `debian` user is never created.
    users: [...admins, deployUser],
    disable_root: true,
    ssh_pwauth: false,
    package_update: true,
    package_upgrade: true,
    packages: [...BOOTSTRAP_PACKAGES],
    ntp: { enabled: true, ntp_client: "chrony", servers: [...spec.site.ntpServers] },
    write_files: [
      rootFile(SSHD_HARDENING_PATH, renderSshdHardening()),
      rootFile(AUTO_UPGRADES_PATH, renderAutoUpgrades()),
      rootFile(UNATTENDED_ORIGINS_PATH, renderUnattendedOrigins(spec.debian.release)),
    ],
    ...dataDiskSetup(vm),
    // Argument lists, not shell strings: nothing here needs a shell, so nothing can be mis-quoted.
    // runcmd runs after the packages are installed (final stage), so every unit exists by then.
    runcmd: [
      ...BOOTSTRAP_SERVICES.map((service) => ["systemctl", "enable", "--now", service]),
      // write_files ran before sshd started, but a reload makes the drop-in's effect explicit and idempotent.
      ["systemctl", "reload", "ssh"],
    ],
  };

  // cloud-init reads YAML 1.1 (PyYAML): emitting 1.1 makes the emitter quote `no`, `on`, `0644` and
  // friends that a 1.2 emitter would leave bare and PyYAML would turn into booleans and octal numbers.
  // lineWidth 0 keeps long SSH keys on one line, which is easier to grep in the VM.
  const doc = new Document(config, { version: "1.1" });
  // One line per command reads like the command it is, in the snippet and in the VM's copy.
  const runcmd = doc.get("runcmd", true);
  if (isSeq(runcmd)) for (const command of runcmd.items) if (isSeq(command)) command.flow = true;
  return `#cloud-config\n${doc.toString({ lineWidth: 0 })}`;
}

function rootFile(path: string, content: string): CloudConfigFile {
  return { path, owner: "root:root", permissions: "0644", content };
}

/**
 * sshd takes the first value it reads for a keyword and Debian's sshd_config includes sshd_config.d/*.conf
 * at its top, so this drop-in wins over the main file; the `10-` prefix also puts it ahead of
 * `50-cloud-init.conf`, where cloud-init writes its ssh_pwauth setting.
 */
export function renderSshdHardening(): string {
  return [
    "# Managed by the ibac toolkit (cloud-init bootstrap).",
    "PermitRootLogin no",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "PubkeyAuthentication yes",
    "X11Forwarding no",
    `AllowGroups ${SSH_LOGIN_GROUP}`,
    "",
  ].join("\n");
}

/** Byte-identical to Debian's own 20auto-upgrades, so the package's postinst finds nothing to merge. */
export function renderAutoUpgrades(): string {
  return ['APT::Periodic::Update-Package-Lists "1";', 'APT::Periodic::Unattended-Upgrade "1";', ""].join("\n");
}

/**
 * Unattended upgrades from the security archive only; other updates go through the toolkit's change
 * process. A separate file, not an edit of the packaged 50unattended-upgrades, so dpkg never stops on a
 * changed conffile. APT appends list entries across files, so the packaged list must be cleared first or
 * it would still let point-release updates through.
 */
export function renderUnattendedOrigins(release: DebianRelease): string {
  const codename = DEBIAN_CODENAMES[release];
  // Up to buster the security archive was the suite `<codename>/updates`, whose Codename is the bare name.
  const securityCodename = release <= 10 ? codename : `${codename}-security`;
  return [
    "// Managed by the ibac toolkit (cloud-init bootstrap).",
    "#clear Unattended-Upgrade::Origins-Pattern;",
    "Unattended-Upgrade::Origins-Pattern {",
    `        "origin=Debian,codename=${securityCodename},label=Debian-Security";`,
    "};",
    "",
  ].join("\n");
}
