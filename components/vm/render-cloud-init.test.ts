import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { loadStackFile } from "../spec/load";
import type { PlatformSpec } from "../spec/schema";
import type { VmPlan } from "../model/types";
import {
  type CloudConfigFile,
  type CloudConfigUser,
  AUTO_UPGRADES_PATH,
  DATA_DISK_DEVICE,
  DATA_DISK_LABEL,
  DEPLOY_USER,
  SSHD_HARDENING_PATH,
  SSH_LOGIN_GROUP,
  UNATTENDED_ORIGINS_PATH,
  renderCloudInit,
  renderSshdHardening,
  type VmHostKeys,
} from "./render-cloud-init";
import { SSHD_BANNER_PATH, SSHD_HOST_KEYS, moduliFilterCommand } from "./render-sshd-hardening";
import { runSshd, sshdUnderTest } from "../../test/support/sshd-under-test";
import { AUDIT_RULES_PATH, renderAuditRules } from "./render-audit-rules";
import { describeRun, requireTool, runTool, type ToolResult } from "../../test/support/require-tool";
import { hasLocalFileSystem } from "../tiers/registry";

const PROJECT_DIR = path.resolve(__dirname, "../..");

/**
 * Every top-level key the renderer may emit. `cloud-init schema` passes unknown top-level keys, so a typo
 * (`packges:`) would validate and then do nothing in the VM; this list is the check it does not make.
 */
const ALLOWED_TOP_LEVEL_KEYS = [
  "hostname",
  "fqdn",
  "manage_etc_hosts",
  "timezone",
  "groups",
  "users",
  "disable_root",
  "ssh_pwauth",
  "ssh_deletekeys",
  "ssh_keys",
  "package_update",
  "package_upgrade",
  "packages",
  "ntp",
  "fs_setup",
  "mounts",
  "write_files",
  "runcmd",
] as const;

interface UserData {
  users: CloudConfigUser[];
  write_files: CloudConfigFile[];
  [key: string]: unknown;
}

interface StackCase {
  stack: string;
  spec: PlatformSpec;
  vms: VmPlan[];
}

// Loaded at collection time so that each VM is its own test case in the report.
const STACKS: StackCase[] = fs
  .readdirSync(path.join(PROJECT_DIR, "stacks"))
  .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
  .filter((stack): stack is string => stack !== undefined)
  .sort()
  .map((stack) => {
    const { spec, model } = loadStackFile(path.join(PROJECT_DIR, "stacks", `Pulumi.${stack}.yaml`), `stacks/Pulumi.${stack}.yaml`);
    return { stack, spec, vms: model.vms };
  });
const ALL_VMS = STACKS.flatMap(({ stack, spec, vms }) => vms.map((vm) => ({ stack, spec, vm })));

let workDir = "";
let deployPublicKey = "";
/** Real host keys as @pulumi/tls gives them (OpenSSH private key, public key with a trailing newline). */
let hostKeys: VmHostKeys;
/** A real host key of another type (RSA), for the renderer to refuse as the ed25519 key. */
let wrongTypeKey: VmHostKeys["ed25519"];
/** A second real key, for an admin who adds one. */
let extraPublicKey = "";
let fileCounter = 0;

function generateKey(name: string, type: "ed25519" | "rsa" = "ed25519"): string {
  const keygen = requireTool("ssh-keygen", "openssh-client");
  const keyFile = path.join(workDir, name);
  const made = runTool(keygen, ["-q", "-t", type, ...(type === "rsa" ? ["-b", "4096"] : []), "-N", "", "-C", "", "-f", keyFile]);
  if (made.status !== 0) throw new Error(describeRun(made));
  return fs.readFileSync(`${keyFile}.pub`, "utf8").trim();
}

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-cloud-init-"));
  // Real keys; the deploy key shaped like @pulumi/tls's publicKeyOpenssh (no comment, trailing newline).
  deployPublicKey = `${generateKey("deploy_key")}\n`;
  extraPublicKey = `${generateKey("extra_key")} second@laptop`;
  const pair = (name: string, type: "ed25519" | "rsa") => {
    const publicKeyOpenssh = `${generateKey(name, type)}\n`;
    return { publicKeyOpenssh, privateKeyOpenssh: fs.readFileSync(path.join(workDir, name), "utf8") };
  };
  hostKeys = { ed25519: pair("host_ed25519", "ed25519") };
  wrongTypeKey = pair("host_rsa", "rsa");
});

afterAll(() => {
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

function tempFile(name: string, content: string): string {
  const file = path.join(workDir, `${++fileCounter}-${name}`);
  fs.writeFileSync(file, content);
  return file;
}

function render(spec: PlatformSpec, vm: VmPlan): string {
  return renderCloudInit({ vm, spec, deployPublicKey, hostKeys });
}

function parseUserData(text: string): UserData {
  return parse(text, { version: "1.1" }) as UserData;
}

function fileIn(doc: UserData, filePath: string): CloudConfigFile {
  const file = doc.write_files.find((f) => f.path === filePath);
  if (!file) throw new Error(`user-data writes no ${filePath}`);
  return file;
}

interface SchemaVerdict {
  run: ToolResult;
  /** Exit 0, "Valid cloud-config", and no deprecation: deprecated forms become errors in later cloud-init. */
  ok: boolean;
}

function cloudInitSchema(text: string, name: string): SchemaVerdict {
  const cloudInit = requireTool("cloud-init", "cloud-init");
  const run = runTool(cloudInit, ["schema", "--config-file", tempFile(name, text)]);
  const output = run.stdout + run.stderr;
  const ok = run.status === 0 && output.includes("Valid cloud-config") && !/deprecat/i.test(output);
  return { run, ok };
}

/** The Python that runs cloud-init, so that its own modules (schema, YAML loader) can be asked directly. */
function cloudInitPython(): string {
  const cloudInit = requireTool("cloud-init", "cloud-init");
  const shebang = fs.readFileSync(cloudInit, "utf8").split("\n")[0];
  const interpreter = /^#!\s*(\S+)/.exec(shebang)?.[1];
  if (!interpreter) throw new Error(`${cloudInit} is not a Python script (first line: ${shebang})`);
  return interpreter;
}

function runPython(script: string, args: string[] = []): unknown {
  const run = runTool(cloudInitPython(), ["-c", script, ...args]);
  if (run.status !== 0) throw new Error(describeRun(run));
  return JSON.parse(run.stdout) as unknown;
}

function withSpec(spec: PlatformSpec, change: (copy: PlatformSpec) => void): PlatformSpec {
  const copy = structuredClone(spec);
  change(copy);
  return copy;
}

function stackCase(name: string): StackCase {
  const found = STACKS.find((s) => s.stack === name);
  if (!found) throw new Error(`no stack ${name}`);
  return found;
}

describe("the stacks under test", () => {
  it("include prod, staging and lab, each with VMs", () => {
    expect(STACKS.map((s) => s.stack)).toEqual(expect.arrayContaining(["lab", "prod", "staging"]));
    for (const s of STACKS) expect(s.vms.length, s.stack).toBeGreaterThan(0);
  });
});

describe("cloud-init schema accepts the user-data of every VM of every stack", () => {
  it.each(ALL_VMS.map(({ stack, spec, vm }) => ({ id: `${stack}/${vm.name}`, spec, vm })))("$id", ({ id, spec, vm }) => {
    const text = render(spec, vm);
    expect(text.split("\n")[0]).toBe("#cloud-config");
    const verdict = cloudInitSchema(text, `${id.replace("/", "-")}.yaml`);
    expect(verdict.run.status, describeRun(verdict.run)).toBe(0);
    expect(verdict.ok, describeRun(verdict.run)).toBe(true);
    const unknown = Object.keys(parseUserData(text)).filter((k) => !(ALLOWED_TOP_LEVEL_KEYS as readonly string[]).includes(k));
    expect(unknown, `top-level keys outside the allow-list in ${id}`).toEqual([]);
  });
});

describe("the validator and the key allow-list can fail", () => {
  it("cloud-init schema rejects users: 5 in an otherwise rendered document", () => {
    const { spec, vms } = stackCase("lab");
    const doc = parseUserData(render(spec, vms[0]));
    const broken = `#cloud-config\n${stringify({ ...doc, users: 5 }, { version: "1.1" })}`;
    const verdict = cloudInitSchema(broken, "broken-users.yaml");
    expect(verdict.run.status, describeRun(verdict.run)).not.toBe(0);
    expect(verdict.run.stdout + verdict.run.stderr).toMatch(/users: 5 is not of type/);
    expect(verdict.ok).toBe(false);
  });

  it("cloud-init schema rejects a document without the #cloud-config header", () => {
    const { spec, vms } = stackCase("lab");
    const headless = render(spec, vms[0]).replace(/^#cloud-config\n/, "");
    const verdict = cloudInitSchema(headless, "headless.yaml");
    expect(verdict.run.status, describeRun(verdict.run)).not.toBe(0);
  });

  it("a non-boolean ssh_pwauth only draws a deprecation, which the verdict counts as a failure", () => {
    const { spec, vms } = stackCase("lab");
    const doc = parseUserData(render(spec, vms[0]));
    const verdict = cloudInitSchema(`#cloud-config\n${stringify({ ...doc, ssh_pwauth: "maybe-not-bool" })}`, "pwauth-string.yaml");
    expect(verdict.run.stdout + verdict.run.stderr).toMatch(/ssh_pwauth: DEPRECATED/);
    expect(verdict.ok).toBe(false);
  });

  it("a misspelt top-level key passes cloud-init schema, so the allow-list is what catches it", () => {
    const verdict = cloudInitSchema("#cloud-config\npackges: [nftables]\n", "typo.yaml");
    expect(verdict.ok, describeRun(verdict.run)).toBe(true);
    expect(Object.keys(parse("packges: [nftables]") as object).filter((k) => !(ALLOWED_TOP_LEVEL_KEYS as readonly string[]).includes(k))).toEqual(["packges"]);
  });

  it("every allow-listed key is a key of cloud-init's own schema", () => {
    const known = runPython(
      [
        "import json",
        "from cloudinit.config.schema import get_schema",
        "s = get_schema()",
        "keys = set(s.get('properties', {}))",
        "for part in s.get('allOf', []):",
        "    ref = part.get('$ref', '')",
        "    if ref.startswith('#/$defs/'):",
        "        keys.update(s['$defs'][ref[len('#/$defs/'):]].get('properties', {}))",
        "print(json.dumps(sorted(keys)))",
      ].join("\n"),
    ) as string[];
    expect(known.length).toBeGreaterThan(50);
    expect(ALLOWED_TOP_LEVEL_KEYS.filter((k) => !known.includes(k))).toEqual([]);
  });
});

describe("what cloud-init reads", () => {
  it("cloud-init's own YAML loader reads every rendered document as intended (no YAML 1.1 surprises)", () => {
    const { spec: lab, vms: labVms } = stackCase("lab");
    // An admin called `no` is a valid Linux name that PyYAML would read as false if it were left bare.
    const yaml11Trap = withSpec(lab, (s) => s.admins.push({ name: "no", sshKeys: [...s.admins[0].sshKeys] }));
    const texts = [...ALL_VMS.map(({ spec, vm }) => render(spec, vm)), render(yaml11Trap, labVms[0])];
    const files = texts.map((text, i) => tempFile(`pyyaml-${i}.yaml`, text));
    const loaded = runPython(
      ["import json, sys", "from cloudinit import safeyaml", "print(json.dumps([safeyaml.load(open(f).read()) for f in sys.argv[1:]]))"].join("\n"),
      files,
    ) as unknown[];
    // The `yaml` package in its default 1.2 mode: where 1.1 would read `no` as false, the two would differ.
    expect(loaded).toEqual(texts.map((text) => parse(text)));
    expect(loaded).toHaveLength(ALL_VMS.length + 1);
    expect((loaded[loaded.length - 1] as UserData).users.map((u) => u.name)).toContain("no");
  });

  it("lab db-1 gets exactly the bootstrap document", () => {
    const { spec, vms } = stackCase("lab");
    const vm = vms[0];
    const doc = parseUserData(render(spec, vm));
    const adminUsers = spec.admins.map((a) => ({
      name: a.name,
      groups: ["sudo", SSH_LOGIN_GROUP],
      shell: "/bin/bash",
      lock_passwd: true,
      sudo: "ALL=(ALL:ALL) NOPASSWD:ALL",
      ssh_authorized_keys: a.sshKeys,
    }));
    expect(doc).toEqual({
      hostname: vm.name,
      fqdn: vm.fqdn,
      manage_etc_hosts: true,
      timezone: spec.site.timeZone,
      groups: [SSH_LOGIN_GROUP],
      users: [
        ...adminUsers,
        {
          name: DEPLOY_USER,
          groups: [SSH_LOGIN_GROUP],
          shell: "/bin/bash",
          lock_passwd: true,
          sudo: "ALL=(ALL:ALL) NOPASSWD:ALL",
          ssh_authorized_keys: [`from="${spec.networks.admin.cidr}",restrict ${deployPublicKey.trim()}`],
        },
      ],
      disable_root: true,
      ssh_pwauth: false,
      ssh_deletekeys: true,
      ssh_keys: {
        ed25519_private: hostKeys.ed25519.privateKeyOpenssh,
        ed25519_public: hostKeys.ed25519.publicKeyOpenssh.trim(),
      },
      package_update: true,
      package_upgrade: true,
      packages: ["qemu-guest-agent", "chrony", "unattended-upgrades", "apt-listchanges", "nftables", "auditd"],
      ntp: { enabled: true, ntp_client: "chrony", servers: spec.site.ntpServers },
      write_files: [
        { path: SSHD_HARDENING_PATH, owner: "root:root", permissions: "0644", content: renderSshdHardening() },
        { path: AUTO_UPGRADES_PATH, owner: "root:root", permissions: "0644", content: expect.any(String) },
        { path: UNATTENDED_ORIGINS_PATH, owner: "root:root", permissions: "0644", content: expect.any(String) },
        { path: AUDIT_RULES_PATH, owner: "root:root", permissions: "0640", content: renderAuditRules() },
      ],
      fs_setup: [{ label: DATA_DISK_LABEL, filesystem: "ext4", device: DATA_DISK_DEVICE, partition: "none", overwrite: false }],
      mounts: [["LABEL=ibac-data", "/srv", "ext4", "defaults,nofail,x-systemd.device-timeout=30s", "0", "2"]],
      runcmd: [
        moduliFilterCommand(),
        ["systemctl", "enable", "--now", "qemu-guest-agent"],
        ["systemctl", "enable", "--now", "chrony"],
        ["systemctl", "enable", "--now", "unattended-upgrades"],
        ["systemctl", "enable", "--now", "auditd"],
        ["systemctl", "reload", "ssh"],
      ],
    });
  });
});

describe("security properties of every VM's user-data", () => {
  it.each(ALL_VMS.map(({ stack, spec, vm }) => ({ id: `${stack}/${vm.name}`, spec, vm })))("$id: no passwords, no root, deploy key present", ({ spec, vm }) => {
    const doc = parseUserData(render(spec, vm));
    expect(doc.ssh_pwauth).toBe(false);
    expect(doc.disable_root).toBe(true);
    for (const user of doc.users) expect(user.lock_passwd, user.name).toBe(true);
    expect(doc.users.map((u) => u.name)).not.toContain("default");
    const deploy = doc.users.find((u) => u.name === DEPLOY_USER);
    // The automation key works only from the admin network, and for commands and SFTP only.
    expect(deploy?.ssh_authorized_keys).toEqual([`from="${spec.networks.admin.cidr}",restrict ${deployPublicKey.trim()}`]);
    expect(deploy?.sudo).toMatch(/NOPASSWD/);
    const sshd = fileIn(doc, SSHD_HARDENING_PATH).content;
    expect(sshd).toMatch(/^PasswordAuthentication no$/m);
    expect(sshd).toMatch(/^PermitRootLogin no$/m);
    expect(sshd).toMatch(/^KbdInteractiveAuthentication no$/m);
    // The keys the deployment pins, and nothing the guest makes up or keeps from the image.
    expect(doc.ssh_deletekeys).toBe(true);
    expect(doc).not.toHaveProperty("ssh_genkeytypes");
    expect(doc.ssh_keys).toEqual({ ed25519_private: hostKeys.ed25519.privateKeyOpenssh, ed25519_public: hostKeys.ed25519.publicKeyOpenssh.trim() });
    // One key on offer, the pinned one: a client preferring another algorithm cannot be shown another key.
    expect([...sshd.matchAll(/^HostKey (.+)$/gm)].map((m) => m[1])).toEqual([SSHD_HOST_KEYS.ed25519]);
    expect(sshd).toMatch(/^HostKeyAlgorithms ssh-ed25519$/m);
  });

  it("writes the private host keys as YAML literal blocks, so a masked value stays a string", () => {
    const { spec, vms } = stackCase("prod");
    const masked = renderCloudInit({ vm: vms[0], spec, deployPublicKey, hostKeys: { ed25519: { ...hostKeys.ed25519, privateKeyOpenssh: "offline-plan-x" } } });
    expect(masked).toContain("  ed25519_private: |\n    offline-plan-x\n");
    const scrubbed = parseUserData(masked.replace("offline-plan-x", "[secret]"));
    expect((scrubbed.ssh_keys as Record<string, string>).ed25519_private).toBe("[secret]\n");
  });

  it("refuses host keys of the wrong type or with control characters", () => {
    const { spec, vms } = stackCase("prod");
    const swapped = { ed25519: wrongTypeKey };
    expect(() => renderCloudInit({ vm: vms[0], spec, deployPublicKey, hostKeys: swapped })).toThrow(`renderCloudInit(${vms[0].name}): hostKeys.ed25519.publicKeyOpenssh is not a one-line ssh-ed25519 public key`);
    const escaped = { ed25519: { ...hostKeys.ed25519, privateKeyOpenssh: "key\u001b[2J" } };
    expect(() => renderCloudInit({ vm: vms[0], spec, deployPublicKey, hostKeys: escaped })).toThrow(`renderCloudInit(${vms[0].name}): hostKeys.ed25519.privateKeyOpenssh is not printable text lines`);
  });

  it("AllowGroups lets in every user the document creates, and the group is created", () => {
    for (const { stack, spec, vms } of STACKS) {
      const doc = parseUserData(render(spec, vms[0]));
      const allowLine = /^AllowGroups (.+)$/m.exec(fileIn(doc, SSHD_HARDENING_PATH).content);
      expect(allowLine, stack).not.toBeNull();
      const allowed = (allowLine?.[1] ?? "").split(/\s+/);
      for (const user of doc.users) expect(user.groups.some((g) => allowed.includes(g)), `${stack}: ${user.name}`).toBe(true);
      const created = [...(doc.groups as string[]), "sudo"];
      for (const group of allowed) expect(created, `${stack}: group ${group}`).toContain(group);
    }
  });

  it("every authorized key in every stack's user-data is a key ssh-keygen can read", () => {
    const keygen = requireTool("ssh-keygen", "openssh-client");
    const keys = new Set(STACKS.flatMap(({ spec, vms }) => parseUserData(render(spec, vms[0])).users.flatMap((u) => u.ssh_authorized_keys)));
    for (const key of keys) {
      const run = runTool(keygen, ["-l", "-f", tempFile("key.pub", `${key}\n`)]);
      expect(run.status, describeRun(run)).toBe(0);
    }
  });
});

describe("stability and inputs", () => {
  it("the same VM and spec give byte-identical output, also from deep copies", () => {
    for (const { spec, vms } of STACKS) {
      for (const vm of vms) {
        const first = render(spec, vm);
        expect(render(spec, vm)).toBe(first);
        expect(render(structuredClone(spec), structuredClone(vm))).toBe(first);
      }
    }
  });

  it("only the host name and FQDN differ between VMs: moving or resizing a VM never changes its user-data", () => {
    const { spec, vms } = stackCase("prod");
    // Two VMs with a local data disk (the database and FRS tiers), as far apart in the list as they get.
    const withDisk = vms.filter((v) => v.dataDiskGiB && hasLocalFileSystem(v.tier));
    const [a, b] = [withDisk[0], withDisk[withDisk.length - 1]];
    const linesA = render(spec, a).split("\n");
    const linesB = render(spec, b).split("\n");
    expect(linesA).toHaveLength(linesB.length);
    const differing = linesA.filter((line, i) => line !== linesB[i]);
    expect(differing).toEqual([`hostname: ${a.name}`, `fqdn: ${a.fqdn}`]);
    const moved: VmPlan = { ...a, node: "elsewhere", cores: a.cores + 8, memoryGiB: a.memoryGiB * 2, vmId: a.vmId + 1, nics: [] };
    expect(render(spec, moved)).toBe(render(spec, a));
  });

  it("an admin with two keys gets both, and a second admin gets an account", () => {
    const { spec, vms } = stackCase("lab");
    const extraKey = extraPublicKey;
    const mutated = withSpec(spec, (s) => {
      s.admins[0].sshKeys.push(extraKey);
      s.admins.push({ name: "oncall", sshKeys: [extraKey] });
    });
    const doc = parseUserData(render(mutated, vms[0]));
    const first = doc.users.find((u) => u.name === spec.admins[0].name);
    expect(first?.ssh_authorized_keys).toEqual([...spec.admins[0].sshKeys, extraKey]);
    expect(doc.users.map((u) => u.name)).toEqual([...spec.admins.map((a) => a.name), "oncall", DEPLOY_USER]);
    expect(render(mutated, vms[0])).not.toBe(render(spec, vms[0]));
  });

  it("mounts the data disk at /srv on the database and FRS VMs only: the DRBD tiers (object store, backup) keep theirs raw, others have none", () => {
    const { spec, vms } = stackCase("prod");
    const mounted = vms.filter((vm) => (parseUserData(render(spec, vm)) as { mounts?: unknown }).mounts).map((vm) => vm.name);
    expect(mounted).toEqual(vms.filter((vm) => vm.tier === "database" || vm.tier === "frs").map((vm) => vm.name));
    expect(vms.filter((vm) => vm.tier === "objectStore" && vm.dataDiskGiB).length).toBeGreaterThan(0);
    expect(vms.filter((vm) => vm.tier === "backup" && vm.dataDiskGiB).length).toBeGreaterThan(0);
  });

  it("time zone and NTP servers come from the site", () => {
    const { spec, vms } = stackCase("lab");
    const mutated = withSpec(spec, (s) => {
      s.site.timeZone = "UTC";
      s.site.ntpServers = ["192.0.2.123"];
    });
    const doc = parseUserData(render(mutated, vms[0]));
    expect(doc.timezone).toBe("UTC");
    expect(doc.ntp).toEqual({ enabled: true, ntp_client: "chrony", servers: ["192.0.2.123"] });
  });

  it.each([
    [10, "origin=Debian,codename=buster,label=Debian-Security"],
    [11, "origin=Debian,codename=bullseye-security,label=Debian-Security"],
    [12, "origin=Debian,codename=bookworm-security,label=Debian-Security"],
    [13, "origin=Debian,codename=trixie-security,label=Debian-Security"],
  ] as const)("Debian %i upgrades unattended from %s only", (release, pattern) => {
    const { spec, vms } = stackCase("lab");
    const doc = parseUserData(render(withSpec(spec, (s) => (s.debian.release = release)), vms[0]));
    const content = fileIn(doc, UNATTENDED_ORIGINS_PATH).content;
    expect([...content.matchAll(/"(origin=[^"]+)"/g)].map((m) => m[1])).toEqual([pattern]);
  });

  it("takes the deploy key with or without its trailing newline, and refuses anything but one public key", () => {
    const { spec, vms } = stackCase("lab");
    const key = deployPublicKey.trim();
    expect(renderCloudInit({ vm: vms[0], spec, deployPublicKey: key, hostKeys })).toBe(render(spec, vms[0]));
    expect(() => renderCloudInit({ vm: vms[0], spec, deployPublicKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n", hostKeys })).toThrow(/not a one-line OpenSSH public key/);
    expect(() => renderCloudInit({ vm: vms[0], spec, deployPublicKey: `${key}\n${key}`, hostKeys })).toThrow(/not a one-line OpenSSH public key/);
    expect(() => renderCloudInit({ vm: vms[0], spec, deployPublicKey: "", hostKeys })).toThrow(/not a one-line OpenSSH public key/);
  });

  it("refuses admins that would clash with root, the deploy user or each other", () => {
    const { spec, vms } = stackCase("lab");
    const key = spec.admins[0].sshKeys[0];
    for (const name of ["root", DEPLOY_USER]) {
      expect(() => render(withSpec(spec, (s) => s.admins.push({ name, sshKeys: [key] })), vms[0])).toThrow(/reserved/);
    }
    expect(() => render(withSpec(spec, (s) => s.admins.push({ ...s.admins[0] })), vms[0])).toThrow(/listed twice/);
  });
});

describe("sshd accepts the hardening drop-in and it takes effect", () => {
  // The lines after the stock file play an image that turned everything on: the drop-in must still win.
  function sshdConfigDir(dropIn: string): { dir: string; config: string } {
    return sshdUnderTest(workDir, dropIn, path.basename(SSHD_HARDENING_PATH), {
      [SSHD_HOST_KEYS.ed25519]: hostKeys.ed25519.privateKeyOpenssh,
      [SSHD_BANNER_PATH]: "Authorised use only.\n",
    }, "\nPasswordAuthentication yes\nPermitRootLogin yes\nKbdInteractiveAuthentication yes\nX11Forwarding yes\nAllowTcpForwarding yes\nMaxAuthTries 6\n");
  }

  function dropInOf(spec: PlatformSpec, vm: VmPlan): string {
    return fileIn(parseUserData(render(spec, vm)), SSHD_HARDENING_PATH).content;
  }

  it("sshd -t accepts the rendered drop-in behind Debian's sshd_config", () => {
    const { spec, vms } = stackCase("prod");
    const { config } = sshdConfigDir(dropInOf(spec, vms[0]));
    const run = runSshd(["-t", "-f", config]);
    expect(run.status, describeRun(run)).toBe(0);
  });

  it("sshd -T shows the hardened values in force, over a main file that says the opposite", () => {
    const { spec, vms } = stackCase("prod");
    const { config } = sshdConfigDir(dropInOf(spec, vms[0]));
    const run = runSshd(["-T", "-f", config, "-C", `user=${spec.admins[0].name},host=admin.example,addr=192.0.2.10`]);
    expect(run.status, describeRun(run)).toBe(0);
    const effective = new Map<string, string>();
    for (const line of run.stdout.split("\n")) {
      const [key, ...rest] = line.trim().split(" ");
      if (key && !effective.has(key)) effective.set(key, rest.join(" "));
    }
    const wanted = { permitrootlogin: "no", passwordauthentication: "no", kbdinteractiveauthentication: "no", pubkeyauthentication: "yes", x11forwarding: "no", allowtcpforwarding: "no", allowagentforwarding: "no", allowstreamlocalforwarding: "no", permittunnel: "no", gatewayports: "no", maxauthtries: "3", logingracetime: "30", maxstartups: "10:30:60", allowgroups: SSH_LOGIN_GROUP };
    expect(Object.fromEntries(Object.keys(wanted).map((k) => [k, effective.get(k)]))).toEqual(wanted);
  });

  it("sshd -t rejects a drop-in with a bad keyword, so the Include really is read", () => {
    const { spec, vms } = stackCase("prod");
    const { config } = sshdConfigDir(`${dropInOf(spec, vms[0])}PermitRootLogn no\n`);
    const run = runSshd(["-t", "-f", config]);
    expect(run.status, describeRun(run)).not.toBe(0);
    expect(run.stderr).toMatch(/Bad configuration option: PermitRootLogn/);
  });
});

describe("APT reads the unattended-upgrades files as intended", () => {
  // An excerpt of Debian bookworm's packaged 50unattended-upgrades: its list allows point releases too.
  const STOCK_50_UNATTENDED = [
    "Unattended-Upgrade::Origins-Pattern {",
    '        "origin=Debian,codename=${distro_codename},label=Debian";',
    '        "origin=Debian,codename=${distro_codename},label=Debian-Security";',
    '        "origin=Debian,codename=${distro_codename}-security,label=Debian-Security";',
    "};",
    "",
  ].join("\n");

  function aptConfigDump(files: Record<string, string>, scope: string): ToolResult {
    const aptConfig = requireTool("apt-config", "apt");
    const dir = fs.mkdtempSync(path.join(workDir, "apt-"));
    const parts = path.join(dir, "apt.conf.d");
    fs.mkdirSync(parts);
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(parts, name), content);
    // APT_CONFIG is read first, so it can point APT away from the host's own /etc/apt.
    const main = path.join(dir, "apt.conf");
    fs.writeFileSync(main, `Dir::Etc::Parts "${parts}";\nDir::Etc::Main "/dev/null";\n`);
    return runTool(aptConfig, ["dump", scope], { env: { ...process.env, APT_CONFIG: main } });
  }

  function originPatterns(dump: string): string[] {
    return [...dump.matchAll(/^Unattended-Upgrade::Origins-Pattern:: "(.*)";$/gm)].map((m) => m[1]);
  }

  function renderedFiles(): Record<string, string> {
    const { spec, vms } = stackCase("prod");
    const doc = parseUserData(render(spec, vms[0]));
    return Object.fromEntries([AUTO_UPGRADES_PATH, UNATTENDED_ORIGINS_PATH].map((p) => [path.basename(p), fileIn(doc, p).content]));
  }

  it("without the toolkit's file, the packaged list lets point releases through (the setup reads the parts dir)", () => {
    const run = aptConfigDump({ "50unattended-upgrades": STOCK_50_UNATTENDED }, "Unattended-Upgrade");
    expect(run.status, describeRun(run)).toBe(0);
    expect(originPatterns(run.stdout)).toContain("origin=Debian,codename=${distro_codename},label=Debian");
  });

  it("with it, only the release's security archive remains, and periodic upgrades are on", () => {
    const files = { "50unattended-upgrades": STOCK_50_UNATTENDED, ...renderedFiles() };
    const origins = aptConfigDump(files, "Unattended-Upgrade");
    expect(origins.status, describeRun(origins)).toBe(0);
    expect(origins.stderr).toBe("");
    expect(originPatterns(origins.stdout)).toEqual(["origin=Debian,codename=bookworm-security,label=Debian-Security"]);
    const periodic = aptConfigDump(files, "APT::Periodic");
    expect(periodic.status, describeRun(periodic)).toBe(0);
    expect(periodic.stdout).toContain('APT::Periodic::Update-Package-Lists "1";');
    expect(periodic.stdout).toContain('APT::Periodic::Unattended-Upgrade "1";');
  });

  it("apt-config rejects a broken file, so a parse error in ours would show", () => {
    const run = aptConfigDump({ ...renderedFiles(), "99broken": 'APT::Periodic::Unattended-Upgrade "1;\n' }, "APT::Periodic");
    expect(run.status, describeRun(run)).not.toBe(0);
  });
});

describe("requireTool", () => {
  it("returns an absolute path for a tool that exists, including one only in sbin", () => {
    expect(path.isAbsolute(requireTool("sh", "dash"))).toBe(true);
    const withoutSbin = (process.env.PATH ?? "").split(path.delimiter).filter((d) => !/sbin/.test(d)).join(path.delimiter);
    const saved = process.env.PATH;
    process.env.PATH = withoutSbin;
    try {
      expect(requireTool("sshd", "openssh-server")).toMatch(/^\/(usr\/)?(local\/)?sbin\/sshd$/);
    } finally {
      process.env.PATH = saved;
    }
  });

  it("throws the install command for a tool that is missing", () => {
    expect(() => requireTool("ibac-no-such-tool", "ibac-no-such-package")).toThrow(
      '"ibac-no-such-tool" is not installed: apt-get install -y --no-install-recommends ibac-no-such-package',
    );
  });
});
