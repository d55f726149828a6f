import type { BucketPurpose, PlatformSpec } from "../spec/schema";
import type { PlatformModel, VmPlan } from "../model/types";
import { databaseService, type DatabaseService } from "../database/service-name";
import { APPLICATION_SCHEMA } from "../database/users";
import { clientBucketPurposes } from "../storage/bucket-access";
import { DATA_DISK_MOUNT } from "../vm/render-cloud-init";
import { tierArtifact, type ApplicationTier, type PinnedArtifact } from "./spec-checks";

// What the toolkit runs of the operator's application on an API or FRS VM, derived once from the spec and the
// model: the renderers (unit, env file, install script) and the components read this plan, nothing else.

/** One VM running the service: where it listens, and the name its certificate carries. */
export interface ServiceInstance {
  vm: string;
  fqdn: string;
  /** The VM's service address: the service binds it, never every address. */
  address: string;
}

/** A TLS endpoint a service calls: the address to connect to and the name to verify (they may not be in DNS). */
export interface ServiceEndpoint {
  serverName: string;
  address: string;
  port: number;
}

export interface ApplicationServicePaths {
  /** The program the unit runs: the pinned executable's install path, or the one the Debian package installs. */
  executable: string;
  envFile: string;
  unitPath: string;
  installScript: string;
  /** The deployment's own state (the digest of the delivered files). */
  stateDir: string;
  tlsDir: string;
  tls: { ca: string; cert: string; key: string; crl: string };
}

export interface ApplicationServicePlan {
  tier: ApplicationTier;
  /** What the tier is, in a few words (unit Description=, messages). */
  label: string;
  /** The system user and group the service runs as (`ibac-api`, `ibac-frs`). */
  user: string;
  unit: string;
  artifact: PinnedArtifact;
  port: number;
  healthPath: string;
  paths: ApplicationServicePaths;
  instances: ServiceInstance[];
  /** The database's primary (its moving address and the name every database server's certificate carries). */
  database: DatabaseService & { schema: string };
  /** MinIO's S3 API at its moving address. */
  objectStore: ServiceEndpoint;
  /** The buckets the tier's S3 user is granted, by purpose. */
  buckets: Partial<Record<BucketPurpose, string>>;
  /** FRS only: the local data directory, on the data disk, and how long data stays there. */
  frs?: { mountPoint: string; dataDir: string; localRetentionDays: number };
  /** The API only: the FRS instances it balances across. */
  frsInstances?: ServiceEndpoint[];
  /** The operator's own settings (spec `environment`), after the toolkit's IBAC_* ones. */
  operatorEnvironment: Readonly<Record<string, string>>;
}

/** The FRS data directory, on the FRS data disk (mounted at /srv by cloud-init): also the archive job's source. */
export const FRS_DATA_DIR = `${DATA_DISK_MOUNT}/frs/data`;

const LABELS: Record<ApplicationTier, string> = { api: "iBac API", frs: "iBac face recognition (FRS)" };

/** The system user of a tier's service. */
export function serviceUser(tier: ApplicationTier): string {
  return `ibac-${tier}`;
}

export function servicePaths(tier: ApplicationTier, artifact: PinnedArtifact): ApplicationServicePaths {
  const name = serviceUser(tier);
  const tlsDir = `/etc/${name}/tls`;
  return {
    executable: artifact.kind === "executable" ? `/usr/local/bin/${name}` : artifact.executable,
    envFile: `/etc/default/${name}`,
    unitPath: `/etc/systemd/system/${name}.service`,
    installScript: `/usr/local/sbin/${name}-install`,
    stateDir: `/var/lib/ibac/${tier}`,
    tlsDir,
    tls: { ca: `${tlsDir}/ca.pem`, cert: `${tlsDir}/cert.pem`, key: `${tlsDir}/key.pem`, crl: `${tlsDir}/crl.pem` },
  };
}

function serviceAddress(vm: VmPlan): string {
  const nic = vm.nics.find((n) => n.network === "service");
  if (!nic) throw new Error(`${vm.name} has no service interface`);
  return nic.address;
}

function instancesOf(model: Pick<PlatformModel, "vms">, tier: ApplicationTier): ServiceInstance[] {
  return model.vms.filter((vm) => vm.tier === tier).map((vm) => ({ vm: vm.name, fqdn: vm.fqdn, address: serviceAddress(vm) }));
}

/** The plan of a tier's service. Pure; expects a spec that passed the loader (the artifact's kind is known). */
export function planApplicationService(model: PlatformModel, spec: PlatformSpec, tier: ApplicationTier): ApplicationServicePlan {
  const artifact = tierArtifact(spec, tier);
  const service = model.objectStore.service;
  const granted = clientBucketPurposes(tier);
  const buckets: Partial<Record<BucketPurpose, string>> = {};
  for (const purpose of granted) {
    const bucket = spec.objectStore.buckets.find((b) => b.purpose === purpose);
    if (!bucket) throw new Error(`planApplicationService: objectStore.buckets has no ${purpose} bucket (the storage spec checks say so first)`);
    buckets[purpose] = bucket.name;
  }
  return {
    tier,
    label: LABELS[tier],
    user: serviceUser(tier),
    unit: `${serviceUser(tier)}.service`,
    artifact,
    port: spec[tier].port,
    healthPath: spec[tier].healthPath,
    paths: servicePaths(tier, artifact),
    instances: instancesOf(model, tier),
    database: { ...databaseService(spec, model), schema: APPLICATION_SCHEMA },
    objectStore: { serverName: service.serverName, address: service.address, port: service.port },
    buckets,
    ...(tier === "frs" ? { frs: { mountPoint: DATA_DISK_MOUNT, dataDir: FRS_DATA_DIR, localRetentionDays: spec.frs.localRetentionDays } } : {}),
    ...(tier === "api" ? { frsInstances: instancesOf(model, "frs").map((i) => ({ serverName: i.fqdn, address: i.address, port: spec.frs.port })) } : {}),
    operatorEnvironment: { ...(spec[tier].environment ?? {}) },
  };
}
