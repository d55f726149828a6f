import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { loadStackFile, stackFilePath } from "../spec/load";
import { OfflinePlanMocks } from "../offline-plan/mocks";
import { InternalCa } from "../pki/internal-ca";
import { tierMonitors } from "../tiers/monitors";
import type { TierComponent } from "../tiers/tier-component";
import type { RenderedFile } from "../vm/rendered-file";
import { recordingScope, settle } from "../../test/support/mock-registrations";
import { PRODUCTION_BACULA_PATHS as P, tlsFilesFor } from "../../backup/bacula/paths";
import { RESOURCE_TYPES } from "../resource-types";
import { BACKUP_COMPONENT_PATHS as C } from "./paths";
import { BackupTier } from "./component";
import * as fs from "node:fs";
import * as os from "node:os";
import { describeRun, requireTool, runTool } from "../../test/support/require-tool";
import { BACKUP_CLUSTER_PATHS, BACKUP_CLUSTER_UNITS } from "./cluster-paths";

const { spec, model } = loadStackFile(stackFilePath(path.resolve(__dirname, "../.."), "prod"));
const value = (output: pulumi.Input<string>): Promise<string> => new Promise((resolve) => pulumi.output(output).apply(resolve));

/** The object store as the backup tier sees it: only the read-only `backup` account it offers. */
const OBJECT_STORE: TierComponent = {
  filesFor: () => [],
  credentials: { backup: { user: "ibac-backup", password: pulumi.secret("test-backup-s3-secret"), purpose: "test" } },
  tlsEndpoints: [],
  monitors: [],
};

let tier: BackupTier;
let mocks: OfflinePlanMocks;
let recorded: pulumi.Resource[];
beforeAll(async () => {
  mocks = new OfflinePlanMocks(model, "prod");
  await pulumi.runtime.setMocks(mocks, "ibac-platform", "prod", false);
  const ca = new InternalCa("test-ca", { organization: "test", commonName: "test CA" });
  const scoped = recordingScope("backup-test");
  recorded = scoped.recorded;
  tier = new BackupTier("test-backup", { spec, model, ca, proxmoxCaPem: "", secrets: { fenceIpmiPassword: pulumi.secret("test-ipmi-password") }, offered: { objectStore: OBJECT_STORE } }, { parent: scoped.scope });
  await settle(recorded);
});

const summary = (files: RenderedFile[]): string[] => files.map((f) => `${f.path} ${f.owner} ${f.mode}`);
const vmsOf = (tierName: string) => model.vms.filter((v) => v.tier === tierName);

describe("BackupTier under pulumi.runtime.setMocks (constructed, not deployed)", () => {
  it("(mocks) gives each backup VM the director's, the storage daemon's and the console's files with their owners and modes, inside the cluster's", () => {
    for (const vm of vmsOf("backup")) {
      const files = summary(tier.filesFor(vm));
      // The cluster's packages first, then Bacula's; the cluster's setup and the digest over everything last.
      expect(files.slice(0, 2), vm.name).toEqual([`${BACKUP_CLUSTER_PATHS.packagesScript} root:root 0755`, `${C.backupPackagesScript} root:root 0755`]);
      expect(files.slice(-2), vm.name).toEqual([`${BACKUP_CLUSTER_PATHS.setupScript} root:root 0755`, `${BACKUP_CLUSTER_PATHS.stateDir}/deployed.sha256 root:root 0600`]);
      expect(files.indexOf(`${P.directorConf} root:bacula 0640`), vm.name).toBeLessThan(files.indexOf(`${BACKUP_CLUSTER_PATHS.cibConfiguration} root:root 0640`));
      expect(files, vm.name).toEqual(expect.arrayContaining([
        ...BACKUP_CLUSTER_UNITS.map((u) => `${BACKUP_CLUSTER_PATHS.unitDropIn(u)} root:root 0644`),
        `${P.tlsCaCertificate} root:root 0644`,
        ...(["director", "storage", "console"] as const).flatMap((role) => [`${tlsFilesFor(P, role).certificate} root:root 0644`, `${tlsFilesFor(P, role).key} root:bacula 0640`]),
        `${C.nasPrivateKey} bacula:bacula 0600`,
        `${C.nasKnownHosts} root:root 0644`,
        `${P.nasMountCommand} root:root 0755`,
        `${P.nasUnmountCommand} root:root 0755`,
        `${C.catalogInit} root:root 0700`,
        `${P.catalogDumpCommand} root:root 0755`,
        `${C.directorDropIn} root:root 0644`,
        `${C.storageDropIn} root:root 0644`,
        `${P.directorConf} root:bacula 0640`,
        `${P.storageConf} root:bacula 0640`,
        `${P.bconsoleConf} root:bacula 0640`,
      ]));
    }
  });

  it("(mocks) gives every database, object-store and FRS VM a file daemon: its TLS pair, PKI keypair, master certificate, config and the digest that restarts it last", () => {
    for (const vm of [...vmsOf("database"), ...vmsOf("objectStore"), ...vmsOf("frs")]) {
      const files = summary(tier.filesFor(vm));
      expect(files[0], vm.name).toBe(`${C.clientPackagesScript} root:root 0755`);
      expect(files, vm.name).toEqual(expect.arrayContaining([
        `${P.tlsCaCertificate} root:root 0644`,
        `${tlsFilesFor(P, "fileDaemon").certificate} root:root 0644`,
        `${tlsFilesFor(P, "fileDaemon").key} root:root 0600`,
        `${P.pkiKeypair} root:root 0600`,
        `${P.pkiMasterCertificate} root:root 0644`,
      ]));
      expect(files.slice(-2), vm.name).toEqual([`${P.fileDaemonConf} root:bacula 0640`, `${C.clientDigest} root:root 0600`]);
      expect(tier.filesFor(vm).at(-1)?.afterChange, vm.name).toBe("systemctl restart bacula-fd.service");
      const exportFiles = [`${C.photoExportMcCa} root:root 0644`, `${C.photoExportMcConfig} root:root 0600`, `${P.photoExportCommand} root:root 0700`];
      if (vm.tier === "objectStore") expect(files, vm.name).toEqual(expect.arrayContaining(exportFiles));
      else expect(files.filter((f) => exportFiles.includes(f)), vm.name).toEqual([]);
    }
  });

  it("(mocks) gives the API, load-balancer, monitoring and VPN VMs nothing", () => {
    for (const vm of model.vms.filter((v) => ["api", "loadBalancer", "monitoring", "vpn"].includes(v.tier))) expect(tier.filesFor(vm), vm.name).toEqual([]);
  });

  it("(mocks) makes every file with a password or a key a Pulumi secret, and the master certificate the spec's", async () => {
    const secretPaths = new Set<string>([P.directorConf, P.storageConf, P.bconsoleConf, P.fileDaemonConf, P.pkiKeypair, C.nasPrivateKey, C.photoExportMcConfig, ...(["director", "storage", "console", "fileDaemon"] as const).map((r) => tlsFilesFor(P, r).key)]);
    let checked = 0;
    for (const vm of model.vms) {
      for (const file of tier.filesFor(vm)) {
        if (secretPaths.has(file.path)) {
          expect(await pulumi.isSecret(pulumi.output(file.content)), `${vm.name}:${file.path}`).toBe(true);
          checked++;
        }
        if (file.path === P.pkiMasterCertificate) expect(await value(file.content)).toBe(spec.backupPolicy.encryption.masterCertificate);
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it("(mocks) renders each daemon's password into its files: the director's into bacula-dir.conf only, each client's into its own fd's", async () => {
    const file = (vm: string, p: string) => tier.filesFor(model.vms.find((v) => v.name === vm) as (typeof model.vms)[number]).find((f) => f.path === p);
    const password = (id: string) => mocks.madeUpSecret(`test-backup-${id}-password`);
    const director = await value(file("bkp-1", P.directorConf)?.content ?? "");
    expect(director).toContain(password("director"));
    expect(director).toContain(password("db-1-fd"));
    expect(await value(file("bkp-1", P.bconsoleConf)?.content ?? "")).not.toContain(password("director"));
    const db1 = await value(file("db-1", P.fileDaemonConf)?.content ?? "");
    expect(db1).toContain(password("db-1-fd"));
    expect(db1).not.toContain(password("db-2-fd"));
    expect(db1).not.toContain(password("director"));
    const mc = await value(file("s3-1", C.photoExportMcConfig)?.content ?? "");
    expect(JSON.parse(mc)).toMatchObject({ aliases: { backup: { accessKey: "ibac-backup", secretKey: "test-backup-s3-secret" } } });
  });

  it("(mocks) exports the photos into exactly the directory the Photos job saves, and the job runs that export first", async () => {
    const s3 = vmsOf("objectStore")[0];
    const script = await value(tier.filesFor(s3).find((f) => f.path === P.photoExportCommand)?.content ?? "");
    const exportDir = /^readonly EXPORT_DIR=(.*)$/m.exec(script)?.[1];
    const job = tier.plan.backupJobs.find((j) => j.clientRunBefore === P.photoExportCommand);
    expect(job?.client).toBe("s3-fd");
    expect(tier.plan.fileSets.find((f) => f.name === job?.fileSet)?.include).toEqual([exportDir]);
  });

  it("(mocks) puts the object store's one s3-fd certificate and PKI keypair on both storage VMs, and a different one on each database VM", async () => {
    const contentOf = (vm: string, p: string) => value(tier.filesFor(model.vms.find((v) => v.name === vm) as (typeof model.vms)[number]).find((f) => f.path === p)?.content ?? "");
    const [s1, s2] = vmsOf("objectStore").map((v) => v.name);
    const [d1, d2] = vmsOf("database").map((v) => v.name);
    for (const p of [tlsFilesFor(P, "fileDaemon").certificate, P.pkiKeypair]) {
      expect(await contentOf(s1, p), p).toBe(await contentOf(s2, p));
      expect(await contentOf(d1, p), p).not.toBe(await contentOf(d2, p));
    }
  });

  it("(mocks) requests each certificate as the Bacula plan says (baculaCertificateRequests), the dialed address a DNS name too", () => {
    const csr = (id: string) => mocks.registrations.find((r) => r.type === RESOURCE_TYPES.CertRequest && r.name === `test-backup-${id}-tls-csr`)?.inputs;
    expect(csr("fd-s3-fd")).toMatchObject({ dnsNames: ["s3-fd.ibac.rik.ee", model.virtualIps.objectStore], ipAddresses: [model.virtualIps.objectStore] });
    expect(csr("director")).toMatchObject({ dnsNames: [tier.plan.director.tlsName, model.virtualIps.backup], ipAddresses: [model.virtualIps.backup] });
    expect(csr("console")).toMatchObject({ dnsNames: [tier.plan.console.tlsName] });
    const certs = mocks.registrations.filter((r) => r.type === RESOURCE_TYPES.LocallySignedCert && r.name.startsWith("test-backup-"));
    expect(certs.length).toBe(3 + tier.plan.clients.length);
    for (const c of certs) expect(c.inputs.allowedUses, c.name).toEqual(expect.arrayContaining(["server_auth", "client_auth"]));
  });

  it("(mocks) makes each PKI key RSA 4096 and the NAS key ED25519; its public half is no secret", async () => {
    const registrations = mocks.registrations.filter((r) => r.type === RESOURCE_TYPES.PrivateKey && r.name.startsWith("test-backup-"));
    const pki = registrations.filter((r) => r.name.startsWith("test-backup-pki-"));
    expect(pki.length).toBe(tier.plan.clients.length);
    for (const r of pki) expect([r.inputs.algorithm, r.inputs.rsaBits], r.name).toEqual(["RSA", 4096]);
    expect(registrations.find((r) => r.name === "test-backup-nas-ssh-key")?.inputs.algorithm).toBe("ED25519");
    expect(await pulumi.isSecret(tier.nasPublicKey)).toBe(false);
    expect(await value(tier.nasPublicKey)).toMatch(/^ssh-ed25519 /);
  });

  it("(mocks) offers the console account, its password a secret; serves the director and SD on the virtual address and each fd on 9102", async () => {
    expect(Object.keys(tier.credentials)).toEqual(["console"]);
    expect(tier.credentials.console.user).toBe(tier.plan.console.name);
    expect(await pulumi.isSecret(tier.credentials.console.password)).toBe(true);
    const plan = tier.plan;
    expect(tier.tlsEndpoints.map((e) => `${e.address}:${e.port} ${e.serverName}`)).toEqual([
      `${plan.director.address}:9101 ${plan.director.tlsName}`,
      `${plan.storageDaemon.address}:9103 ${plan.storageDaemon.tlsName}`,
      ...plan.clients.map((c) => `${c.address}:9102 ${c.tlsName}`),
    ]);
    expect(tier.monitors).toEqual(tierMonitors(model, "backup"));
    // The director's port is checked once, on the virtual address (it answers only on the Promoted VM).
    expect(tier.monitors.filter((m) => m.layer === "service").map((m) => `${m.virtualAddress}@${m.address}:${m.port}`)).toEqual([`backup@${model.virtualIps.backup}:9101`]);
    expect(plan.director.address).toBe(model.virtualIps.backup);
  });

  it("(mocks) delivers only scripts that bash -n and shellcheck pass, as the prod VMs get them", async () => {
    const shellcheck = requireTool("shellcheck", "shellcheck");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-backup-delivered-"));
    try {
      const scripts = new Map<string, string>();
      for (const vm of model.vms) {
        for (const f of tier.filesFor(vm)) {
          const text = await value(f.content);
          if (text.startsWith("#!/bin/bash")) scripts.set(`${f.path}\n${text}`, f.path);
        }
      }
      expect([...new Set(scripts.values())]).toEqual(expect.arrayContaining([C.backupPackagesScript, C.clientPackagesScript, C.catalogInit, P.catalogDumpCommand, P.nasMountCommand, P.nasUnmountCommand, P.photoExportCommand]));
      let i = 0;
      for (const [key, at] of scripts) {
        const file = path.join(dir, `script-${i++}.sh`);
        fs.writeFileSync(file, key.slice(key.indexOf("\n") + 1));
        const parsed = runTool("bash", ["-n", file]);
        expect(parsed.status, `${at}: ${describeRun(parsed)}`).toBe(0);
        const checked = runTool(shellcheck, ["--severity=style", file]);
        expect(checked.status, `${at}: ${describeRun(checked)}`).toBe(0);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
