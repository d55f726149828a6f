import type { PlatformSpec } from "../../spec/schema";
import type { PlatformModel, VmPlan } from "../../model/types";
import { MC_BINARY } from "../../storage/mc-script";
import { FRS_DATA_DIR, serviceUser } from "../../app-service/service-plan";

// What the FRS local-retention job of one FRS VM is, decided once from the spec and the model: pure. The
// renderers (render-archive-script.ts, render-archive-units.ts) read only this.

/** The FRS service's system user and data directory (components/app-service/service-plan.ts): the job works as it, there. */
export const FRS_USER = serviceUser("frs");
export { FRS_DATA_DIR };

export const ARCHIVE_SCRIPT_PATH = "/usr/local/sbin/ibac-frs-archive";
export const ARCHIVE_SERVICE = "ibac-frs-archive.service";
export const ARCHIVE_TIMER = "ibac-frs-archive.timer";
export const ARCHIVE_SERVICE_PATH = `/etc/systemd/system/${ARCHIVE_SERVICE}`;
export const ARCHIVE_TIMER_PATH = `/etc/systemd/system/${ARCHIVE_TIMER}`;
/** The FRS S3 user's keys: root:root 0600, read by systemd (PID 1) for the job, never by anyone else. */
export const ARCHIVE_ENV_FILE = "/etc/ibac/frs-archive.env";
/** The internal CA mc verifies the object store's certificate with. */
export const ARCHIVE_CA_FILE = "/etc/ibac/frs-archive-ca.pem";
/** Installs the pinned MinIO client (components/storage/render-minio-install-script.ts). */
export const MC_INSTALL_SCRIPT_PATH = "/usr/local/sbin/ibac-mc-install";
/** systemd's StateDirectory= name: /var/lib/ibac-frs-archive, where the job notes its last success. */
export const ARCHIVE_STATE_DIRECTORY = "ibac-frs-archive";

export interface FrsArchivePlan {
  /** The VM's name: the first segment of every object key (`<vm>/<path below the data directory>`). */
  vm: string;
  user: string;
  dataDir: string;
  /** Files whose last modification is older than this many days are archived, then deleted here. */
  retentionDays: number;
  /** The frsArchive-purpose bucket (versioned, like every bucket of the object store). */
  bucket: string;
  /** The object store's service: the name its certificate carries, its port, and its (moving) address. */
  endpoint: { serverName: string; port: number; address: string };
  mcBinary: string;
  caFile: string;
  /** Where the job notes its last successful run (`last-success`, seconds since the epoch). */
  stateDir: string;
}

/** The archive plan of one FRS VM. Throws for a VM of another tier or a spec without an frsArchive bucket (the spec checks say so first). */
export function deriveFrsArchivePlan(spec: PlatformSpec, model: PlatformModel, vm: VmPlan): FrsArchivePlan {
  if (vm.tier !== "frs") throw new Error(`deriveFrsArchivePlan: ${vm.name} is a ${vm.tier} VM, not an FRS one`);
  const buckets = spec.objectStore.buckets.filter((b) => b.purpose === "frsArchive");
  if (buckets.length !== 1) throw new Error(`deriveFrsArchivePlan: objectStore.buckets: expected one bucket for frsArchive, found ${buckets.length}`);
  const service = model.objectStore.service;
  return {
    vm: vm.name,
    user: FRS_USER,
    dataDir: FRS_DATA_DIR,
    retentionDays: spec.frs.localRetentionDays,
    bucket: buckets[0].name,
    endpoint: { serverName: service.serverName, port: service.port, address: service.address },
    mcBinary: MC_BINARY,
    caFile: ARCHIVE_CA_FILE,
    stateDir: `/var/lib/${ARCHIVE_STATE_DIRECTORY}`,
  };
}
