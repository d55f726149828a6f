import * as pulumi from "@pulumi/pulumi";
import * as proxmox from "@muhlba91/pulumi-proxmoxve";
import * as command from "@pulumi/command";
import * as random from "@pulumi/random";
import type { VmPlan } from "../model/types";
import type { RenderedFile } from "../vm/rendered-file";
import { withDeployedDigest } from "../vm/deployed-digest";
import type { DeclaredVm, OperatorSecrets, TierComponent, TierComponentArgs, TierCredential, TlsEndpoint } from "../tiers/tier-component";
import { tierMonitors, type ServiceMonitor } from "../tiers/monitors";
import { renderDrbdResource } from "./render-drbd-resource";
import { renderCorosyncConf } from "./render-corosync-conf";
import { ipmiPasswordScript, PVE_PASSWORD_SCRIPT, renderCib } from "./render-cib";
import { renderFencePasswordScript, renderStoragePackagesScript, renderStorageSetupScript } from "./render-storage-scripts";
import { minioCertificateArgs, minioFilesForVm } from "./minio-files";
import { s3HaproxyFilesForVm } from "./s3-haproxy-files";
import { tlsPolicy, type TlsPolicy } from "../pki/tls-policy";
import { replicationCommand, retentionCommand } from "./mc-commands";
import { renderRetentionScript } from "./render-retention-commands";
import { renderReplicationScript } from "./render-replication-commands";
import { STORAGE_PATHS } from "./paths";
import { FENCE_PVE_USER } from "./derive-storage-plan";
import { FENCE_PRIVILEGES } from "./fence-privileges";
import { clientPolicies, S3_CLIENTS, type S3Client } from "./bucket-access";
import { clientAccessKey, clientSecretKeys, declareBuckets, minioProvider } from "./buckets";
import type { StoragePlan } from "./storage-plan";
import type { ObjectStoreSpec } from "../spec/schema";

/** MinIO's root access key; its password is random (a secret). */
export const MINIO_ROOT_USER = "ibac-admin";

/** What each client tier's MinIO account is for (TierCredential.purpose). */
const CLIENT_PURPOSE: Record<S3Client, string> = {
  frs: "FRS reads photos and archives its data after the local retention",
  api: "the API stores and reads photos",
  backup: "the backup tier reads every bucket (read-only)",
  logging: "central logging writes the log and audit archives (write-only)",
};

/** The secrets and certificates a storage VM's files are made from (MinIO's root user is MINIO_ROOT_USER). */
export interface StorageSecrets {
  corosyncAuthkeyBase64: pulumi.Input<string>;
  fencePvePassword: pulumi.Input<string>;
  fenceIpmiPassword: pulumi.Input<string>;
  minioRootPassword: pulumi.Input<string>;
  minioKmsKeyBase64: pulumi.Input<string>;
  /** The Proxmox cluster's CA, which fence_pve verifies the API against. */
  proxmoxCaPem: pulumi.Input<string>;
  caPem: pulumi.Input<string>;
  certPem: pulumi.Input<string>;
  keyPem: pulumi.Input<string>;
}

const rootOnly = { mode: "0600", owner: "root:root" } as const;
const world = { mode: "0644", owner: "root:root" } as const;

/**
 * Every file of one storage VM, in install order: the packages and MinIO's binary first (their users and
 * directories), then DRBD, corosync and Pacemaker's files with the fence agents' passwords, MinIO's
 * certificate, environment and unit; last a digest of them all, whose follow-up runs the setup script once
 * everything it reads is in place.
 */
export function storageFilesForVm(plan: StoragePlan, objectStore: ObjectStoreSpec, release: number, policy: TlsPolicy, vm: string, secrets: StorageSecrets): RenderedFile[] {
  const ipmiScripts = [...new Set(plan.cluster.fencing.filter((f) => f.ipmi).map((f) => f.pve.proxmoxNode))].map(ipmiPasswordScript);
  const files: RenderedFile[] = [
    { path: STORAGE_PATHS.packagesScript, content: renderStoragePackagesScript(), mode: "0755", owner: "root:root", afterChange: STORAGE_PATHS.packagesScript },
    { path: STORAGE_PATHS.drbdResource(plan.drbd.name), content: renderDrbdResource(plan.drbd), ...world },
    { path: STORAGE_PATHS.corosyncConf, content: renderCorosyncConf(plan.cluster), ...world },
    { path: STORAGE_PATHS.corosyncAuthkeyBase64, content: pulumi.secret(secrets.corosyncAuthkeyBase64), ...rootOnly },
    { path: STORAGE_PATHS.fencePveSecret, content: pulumi.secret(secrets.fencePvePassword), ...rootOnly },
    { path: STORAGE_PATHS.fenceIpmiSecret, content: pulumi.secret(secrets.fenceIpmiPassword), ...rootOnly },
    { path: PVE_PASSWORD_SCRIPT, content: renderFencePasswordScript(STORAGE_PATHS.fencePveSecret), mode: "0700", owner: "root:root" },
    { path: STORAGE_PATHS.proxmoxCa, content: secrets.proxmoxCaPem, ...world },
    ...ipmiScripts.map((path): RenderedFile => ({ path, content: renderFencePasswordScript(STORAGE_PATHS.fenceIpmiSecret), mode: "0700", owner: "root:root" })),
    // Not a secret (passwords come from the scripts above), but only the cluster's business.
    { path: STORAGE_PATHS.cibConfiguration, content: renderCib(plan, { release: release >= 13 ? "trixie" : "bookworm" }), mode: "0640", owner: "root:root" },
    ...minioFilesForVm(objectStore, plan.service, {
      rootUser: MINIO_ROOT_USER,
      rootPassword: secrets.minioRootPassword,
      kmsKeyBase64: secrets.minioKmsKeyBase64,
      caPem: secrets.caPem,
      certPem: secrets.certPem,
      keyPem: secrets.keyPem,
    }),
    // The S3 TLS clients see: HAProxy on the service address with the platform's suites, in front of MinIO.
    ...s3HaproxyFilesForVm(plan.service, policy, { certPem: secrets.certPem, keyPem: secrets.keyPem }),
    { path: STORAGE_PATHS.setupScript, content: renderStorageSetupScript(plan, vm), mode: "0755", owner: "root:root" },
  ];
  // The last file is a digest of all the others: its follow-up runs the bootstrap once everything is in place.
  return withDeployedDigest(files, `${STORAGE_PATHS.stateDir}/deployed.sha256`, STORAGE_PATHS.setupScript);
}

function requireSecret(secrets: OperatorSecrets, key: keyof OperatorSecrets, why: string): pulumi.Output<string> {
  const value = secrets[key];
  if (!value) throw new Error(`${why} needs the Pulumi secret ibac:${key}: pulumi config set --secret ibac:${key}`);
  return value;
}

/**
 * The object-store tier: MinIO on a DRBD volume that Pacemaker moves between the two storage VMs.
 *
 * At construction: the Proxmox user fence_pve logs in as (its password from @pulumi/random), corosync's key,
 * MinIO's root password and certificate (the internal CA, for the service name and address), each client's
 * secret key, and each VM's files, delivered by the VM's ConfigDelivery. Once the VMs are declared
 * (`onVmsDeclared`): the buckets, users and policies, through MinIO's API at the service address.
 */
export class StorageTier extends pulumi.ComponentResource implements TierComponent {
  readonly plan: StoragePlan;
  readonly credentials: Readonly<Record<string, TierCredential>>;
  readonly tlsEndpoints: readonly TlsEndpoint[];
  readonly monitors: readonly ServiceMonitor[];
  private readonly files = new Map<string, RenderedFile[]>();
  private readonly args: TierComponentArgs;
  private readonly name: string;
  private readonly rootPassword: pulumi.Output<string>;
  private readonly secretKeys: Record<S3Client, pulumi.Output<string>>;

  constructor(name: string, args: TierComponentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ibac:storage:StorageTier", name, {}, opts);
    const child = { parent: this };
    this.name = name;
    this.args = args;
    this.plan = args.model.objectStore;
    const plan = this.plan;
    const service = plan.service;
    const fenceIpmiPassword = requireSecret(args.secrets, "fenceIpmiPassword", "the storage tier's second fencing level (the nodes' BMCs)");

    // fence_pve takes a password ticket (Debian's agent has no API tokens): a pve-realm user with a random
    // password, allowed to see and power the two storage VMs and nothing else.
    const fencePassword = new random.RandomPassword(`${name}-fence-pve-password`, { length: 32, special: false }, child).result;
    const role = new proxmox.RoleLegacy(`${name}-fence-role`, { roleId: "IbacFence", privileges: [...FENCE_PRIVILEGES] }, child);
    new proxmox.UserLegacy(`${name}-fence-user`, {
      userId: FENCE_PVE_USER,
      comment: "ibac storage tier: fence_pve powers a storage VM off",
      enabled: true,
      password: pulumi.secret(fencePassword),
      acls: plan.cluster.fencing.map((f) => ({ path: `/vms/${f.pve.vmId}`, roleId: role.roleId, propagate: false })),
    }, child);
    const authkey = new random.RandomBytes(`${name}-corosync-authkey`, { length: 256 }, child).base64;
    this.rootPassword = pulumi.secret(new random.RandomPassword(`${name}-minio-root-password`, { length: 40, special: false }, child).result);
    this.secretKeys = clientSecretKeys(name, child);
    const kmsKey = pulumi.secret(new random.RandomBytes(`${name}-minio-kms-key`, { length: 32 }, child).base64);
    const cert = args.ca.issueServerCertificate(`${name}-minio-tls`, minioCertificateArgs(service), this);

    this.credentials = Object.fromEntries(S3_CLIENTS.map((client) => [client, { user: clientAccessKey(client), password: this.secretKeys[client], purpose: CLIENT_PURPOSE[client] }]));
    this.tlsEndpoints = [{ vm: plan.drbd.peers[0].vm, address: service.address, port: service.port, serverName: service.serverName, what: "S3 API: HAProxy's TLS in front of MinIO (on the Promoted VM)" }];
    this.monitors = tierMonitors(args.model, "objectStore");
    const policy = tlsPolicy(args.spec);
    for (const peer of plan.drbd.peers) {
      this.files.set(peer.vm, storageFilesForVm(plan, args.spec.objectStore, args.spec.debian.release, policy, peer.vm, {
        corosyncAuthkeyBase64: authkey,
        fencePvePassword: fencePassword,
        fenceIpmiPassword,
        minioRootPassword: this.rootPassword,
        minioKmsKeyBase64: kmsKey,
        proxmoxCaPem: args.proxmoxCaPem,
        caPem: args.ca.certPem,
        certPem: cert.certPem,
        keyPem: cert.privateKeyPem,
      }));
    }
    this.registerOutputs({});
  }

  /** The files a VM of this tier gets, in install order; none for a VM of another tier. */
  filesFor(vm: VmPlan): RenderedFile[] {
    return this.files.get(vm.name) ?? [];
  }

  /**
   * The buckets, users and policies, through MinIO's API once both storage VMs have their files (Pacemaker
   * starts MinIO on one of them). The provider verifies MinIO's certificate against the internal CA, written
   * to a file on the deploying machine (the provider reads a path).
   */
  onVmsDeclared(vms: Readonly<Record<string, DeclaredVm>>): void {
    const storageVms = this.plan.drbd.peers.map((p) => vms[p.vm]).filter((v): v is DeclaredVm => v !== undefined);
    const dependsOn = storageVms.map((v) => v.resource);
    const caFile = new command.local.Command(`${this.name}-minio-ca-file`, {
      create: 'umask 022 && mkdir -p .ibac && cat > ".ibac/$IBAC_CA_FILE" && printf %s ".ibac/$IBAC_CA_FILE"',
      environment: { IBAC_CA_FILE: `${pulumi.getStack()}-internal-ca.pem` },
      stdin: this.args.ca.certPem,
      triggers: [this.args.ca.certPem],
    }, { parent: this, dependsOn });
    const provider = minioProvider(`${this.name}-minio`, {
      service: this.plan.service,
      rootUser: MINIO_ROOT_USER,
      rootPassword: this.rootPassword,
      caCertFile: caFile.stdout,
    }, { parent: this, dependsOn });
    const objectStore = this.args.spec.objectStore;
    const declared = declareBuckets(this.name, { buckets: objectStore.buckets, policies: clientPolicies(objectStore.buckets), provider, secretKeys: this.secretKeys }, { parent: this });
    const afterBuckets = { parent: this, dependsOn: [...dependsOn, ...Object.values(declared.buckets)] };
    const local = { accessKey: MINIO_ROOT_USER, secretKey: this.rootPassword };
    // Each script runs on both VMs (each at its own pinned host key); it acts only where MinIO runs.
    const retention = renderRetentionScript(objectStore.buckets, this.plan.service);
    const replication = objectStore.replication;
    for (const [i, vm] of storageVms.entries()) {
      const peer = this.plan.drbd.peers[i].vm;
      if (retention) retentionCommand(`${this.name}-retention-${peer}`, { connection: vm.connection, script: retention, local }, afterBuckets);
      if (replication) {
        const remote = {
          accessKey: requireSecret(this.args.secrets, "replicationAccessKey", "replication to the third location"),
          secretKey: requireSecret(this.args.secrets, "replicationSecretKey", "replication to the third location"),
        };
        replicationCommand(`${this.name}-replication-${peer}`, { connection: vm.connection, script: renderReplicationScript(replication, this.plan.service), local, remote }, afterBuckets);
      }
    }
  }
}
