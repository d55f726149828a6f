import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import type { VmPlan } from "../model/types";
import type { RenderedFile } from "../vm/rendered-file";
import type { IssuedCertificate } from "../pki/internal-ca";
import { offeredCredential, type TierComponent, type TierComponentArgs, type TierCredential, type TlsEndpoint } from "../tiers/tier-component";
import { tierMonitors, type ServiceMonitor } from "../tiers/monitors";
import type { BaculaName, BaculaPlan } from "../../backup/bacula/bacula-plan";
import { baculaSecretNames, PRODUCTION_BACULA_PATHS, type BaculaSecrets } from "../../backup/bacula/render-files";
import { baculaCertificateRequests } from "../../backup/bacula/certificates";
import { backupFilesForVm } from "./backup-files";
import { renderPhotoExportMcConfig } from "./render-photo-export";
import { backupPlanOf } from "./plan";
import { backupClusterFiles } from "./cluster-files";
import { declareBackupClusterSecrets } from "./cluster-secrets";
import { BACKUP_MOUNT_POINT } from "./cluster-plan";

/** Bacula's PKI signs and encrypts with RSA only; 4096 bits, like the master key's minimum and then some. */
const PKI_KEY = { algorithm: "RSA", rsaBits: 4096 } as const;
/** A PKI keypair's certificate is an envelope for its public key (Bacula checks no dates): twenty years. */
const PKI_VALIDITY_HOURS = 20 * 365 * 24;

/**
 * The backup tier: Bacula's director and storage daemon on the backup VMs (where Pacemaker mounted the DRBD
 * backup volume), a file daemon on every backup client, and the encrypted copy to the external NAS.
 *
 * At construction: the backup cluster's secrets (corosync's key, the fence_pve user: cluster-secrets.ts), the
 * daemons' passwords (@pulumi/random), a TLS certificate from the internal CA for the
 * director, the storage daemon, bconsole and every file daemon (the object store's on both storage VMs), a PKI
 * keypair per file daemon, and the NAS account's SSH key, whose public half `nasPublicKey` the platform exports
 * as the stack output `backupNasPublicKey` for the operator to install on the NAS.
 */
export class BackupTier extends pulumi.ComponentResource implements TierComponent {
  readonly plan: BaculaPlan;
  readonly credentials: Readonly<Record<string, TierCredential>>;
  readonly tlsEndpoints: readonly TlsEndpoint[];
  readonly monitors: readonly ServiceMonitor[];
  /** The NAS account's public key (OpenSSH): `pulumi stack output backupNasPublicKey`. Not a secret. */
  readonly nasPublicKey: pulumi.Output<string>;
  private readonly files = new Map<string, RenderedFile[]>();

  constructor(name: string, args: TierComponentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ibac:backup:BackupTier", name, {}, opts);
    const child = { parent: this };
    const plan = backupPlanOf(args.spec, args.model);
    this.plan = plan;
    const paths = PRODUCTION_BACULA_PATHS;
    // Pacemaker mounts the volume where the Bacula plan puts the catalog and the volumes: one place, checked.
    if (paths.backupVolume !== BACKUP_MOUNT_POINT) throw new Error(`backup tier: the Bacula paths put the backup volume at ${paths.backupVolume}, the backup cluster mounts it at ${BACKUP_MOUNT_POINT}`);
    const clusterSecrets = declareBackupClusterSecrets(name, args, this);

    const passwords = Object.fromEntries(baculaSecretNames(plan).map((id) => [id, pulumi.secret(new random.RandomPassword(`${name}-${id}-password`, { length: 40, special: false }, child).result)]));
    const password = (id: string): pulumi.Output<string> => {
      const found = passwords[id];
      if (!found) throw new Error(`backup tier: no password named ${id} (baculaSecretNames)`);
      return found;
    };
    const secrets: pulumi.Output<BaculaSecrets> = pulumi.secret(pulumi.all(passwords).apply((p) => ({
      directorPassword: p.director,
      consolePassword: p.console,
      storagePassword: p.storage,
      clientPasswords: Object.fromEntries(plan.clients.map((c) => [c.name, p[c.name]])),
    })));

    // The certificates as the Bacula plan asks for them (certificates.ts: each daemon is a TLS server and client,
    // its dialed address also a DNS name for Bacula 9.6's host check); one per daemon, the object store's on both VMs.
    const clientCertificates: Record<BaculaName, IssuedCertificate> = {};
    const daemonCertificates: Partial<Record<"director" | "storage" | "console", IssuedCertificate>> = {};
    for (const r of baculaCertificateRequests(plan)) {
      const cert = args.ca.issueServerCertificate(`${name}-${r.client ? `fd-${r.client}` : r.role}-tls`, { commonName: r.commonName, dnsNames: r.dnsNames, ipAddresses: r.ipAddresses, clientAuth: r.clientAuth }, this);
      if (r.role === "fileDaemon") {
        if (!r.client) throw new Error("backup tier: a file daemon's certificate request names no client");
        clientCertificates[r.client] = cert;
      } else daemonCertificates[r.role] = cert;
    }
    const { director, storage, console } = daemonCertificates;
    if (!director || !storage || !console) throw new Error("backup tier: the Bacula plan asks for no director, storage or console certificate");
    const pkiKeypairs: Record<BaculaName, pulumi.Output<string>> = {};
    for (const client of plan.clients) {
      const key = new tls.PrivateKey(`${name}-pki-${client.name}-key`, { ...PKI_KEY }, child);
      const cert = new tls.SelfSignedCert(`${name}-pki-${client.name}-cert`, {
        privateKeyPem: key.privateKeyPem,
        subject: { commonName: `${client.name} Bacula PKI`, organization: args.spec.site.name },
        validityPeriodHours: PKI_VALIDITY_HOURS,
        allowedUses: ["digital_signature", "key_encipherment", "data_encipherment"],
      }, child);
      // Bacula's `PKI Keypair` file: the certificate and the private key, one PEM.
      pkiKeypairs[client.name] = pulumi.secret(pulumi.all([cert.certPem, key.privateKeyPem]).apply(([c, k]) => `${c.endsWith("\n") ? c : `${c}\n`}${k}`));
    }

    const nasKey = new tls.PrivateKey(`${name}-nas-ssh-key`, { algorithm: "ED25519" }, child);
    this.nasPublicKey = nasKey.publicKeyOpenssh;

    const photos = args.spec.objectStore.buckets.find((b) => b.purpose === "photos");
    if (!photos) throw new Error("backup tier: objectStore.buckets: expected a bucket for photos, found none");
    const s3 = offeredCredential(args.offered, "objectStore", "backup", "the backup tier's photo export");
    const service = args.model.objectStore.service;
    const mcConfig = pulumi.secret(pulumi.all([s3.user, s3.password]).apply(([user, secret]) => renderPhotoExportMcConfig(service, user, secret)));

    const input = {
      plan,
      paths,
      secrets,
      caPem: args.ca.certPem,
      daemonCertificates: { director, storage, console },
      clientCertificates,
      pkiKeypairs,
      masterCertificate: args.spec.backupPolicy.encryption.masterCertificate,
      offsite: args.spec.backupPolicy.offsite,
      nasPrivateKey: pulumi.secret(nasKey.privateKeyOpenssh),
      photoExport: { service, bucket: photos.name, mcConfig, caPem: args.ca.certPem },
      clusterFiles: (vm: string, serviceFiles: RenderedFile[]): RenderedFile[] => backupClusterFiles(args.spec, args.model, vm, clusterSecrets, { serviceFiles }),
    };
    for (const vm of args.model.vms) {
      const files = backupFilesForVm(input, vm.name);
      if (files.length) this.files.set(vm.name, files);
    }

    this.credentials = {
      console: { user: plan.console.name, password: password("console"), purpose: "bconsole for the backup runbooks (restore, verify), limited by the console's ACL" },
    };
    this.tlsEndpoints = [
      { vm: plan.director.vms[0], address: plan.director.address, port: plan.director.port, serverName: plan.director.tlsName, what: "Bacula director (on the VM Pacemaker promoted)" },
      { vm: plan.director.vms[0], address: plan.storageDaemon.address, port: plan.storageDaemon.port, serverName: plan.storageDaemon.tlsName, what: "Bacula storage daemon (on the VM Pacemaker promoted)" },
      ...plan.clients.map((c): TlsEndpoint => ({ vm: c.vms[0], address: c.address, port: 9102, serverName: c.tlsName, what: `Bacula file daemon ${c.name}` })),
    ];
    this.monitors = tierMonitors(args.model, "backup");
    this.registerOutputs({ nasPublicKey: this.nasPublicKey });
  }

  /** The files a VM gets from this tier (backup VMs and backup clients), in install order; none for any other VM. */
  filesFor(vm: VmPlan): RenderedFile[] {
    return this.files.get(vm.name) ?? [];
  }
}
