// The Bacula files of every VM, from the plan (derive-bacula-plan.ts), the passwords and the paths table. Pure:
// the backup component calls these inside pulumi.all with the passwords from @pulumi/random and writes the
// results (0640 root:bacula: every one holds a password). Each renderer lives in its own file; this one is the
// entry the component imports.
import type { BaculaName, BaculaPlan } from "./bacula-plan";
import type { BaculaPaths } from "./paths";
import { PRODUCTION_BACULA_PATHS } from "./paths";
import { renderDirectorConf } from "./render-director-conf";
import { renderStorageDaemonConf } from "./render-storage-conf";
import { renderFileDaemonConf } from "./render-fd-conf";
import { renderBconsoleConf } from "./render-bconsole-conf";
import type { BaculaSecrets } from "./secrets";

export type { BaculaSecrets } from "./secrets";
export { baculaSecretNames } from "./secrets";
export { deriveBaculaPlan } from "./derive-bacula-plan";
export { renderDirectorConf, renderStorageDaemonConf, renderFileDaemonConf, renderBconsoleConf, PRODUCTION_BACULA_PATHS };

/** One file for a VM: every Bacula file holds a password, so none is world-readable. */
export interface BaculaFile {
  path: string;
  content: string;
  /** 0640, owner root, group bacula (the daemons run as bacula on Debian; the file daemon as root). */
  mode: "0640";
  /** What the file is, one line (the component's resource description). */
  what: string;
}

/** What runs on a VM: the backup VMs run the director, the storage daemon and bconsole; a client VM its file daemon. */
export interface BaculaVmRoles {
  director: boolean;
  storage: boolean;
  console: boolean;
  /** The file daemon's client name, if the VM runs one (the backup VMs run `backup-fd` for their own config). */
  fileDaemon?: BaculaName;
}

export function baculaVmRoles(plan: BaculaPlan, vmName: string): BaculaVmRoles {
  const onBackup = plan.director.vms.includes(vmName);
  const client = plan.clients.find((c) => c.vms.includes(vmName));
  return { director: onBackup, storage: onBackup, console: onBackup, ...(client ? { fileDaemon: client.name } : {}) };
}

/** Every Bacula configuration file of one VM (none for a VM that is neither a backup VM nor a client). */
export function baculaFilesFor(plan: BaculaPlan, vmName: string, secrets: BaculaSecrets, paths: BaculaPaths = PRODUCTION_BACULA_PATHS): BaculaFile[] {
  const roles = baculaVmRoles(plan, vmName);
  const files: BaculaFile[] = [];
  if (roles.director) files.push({ path: paths.directorConf, content: renderDirectorConf(plan, secrets, paths), mode: "0640", what: "Bacula director" });
  if (roles.storage) files.push({ path: paths.storageConf, content: renderStorageDaemonConf(plan, secrets, paths), mode: "0640", what: "Bacula storage daemon" });
  if (roles.console) files.push({ path: paths.bconsoleConf, content: renderBconsoleConf(plan, secrets, paths), mode: "0640", what: "bconsole" });
  if (roles.fileDaemon) files.push({ path: paths.fileDaemonConf, content: renderFileDaemonConf(plan, roles.fileDaemon, secrets, paths), mode: "0640", what: `Bacula file daemon ${roles.fileDaemon}` });
  return files;
}
