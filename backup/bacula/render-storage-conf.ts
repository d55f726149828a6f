// bacula-sd.conf: the storage daemon beside the director, with the file volumes on the DRBD volume and the
// copies on the NAS, which it mounts (sshfs, host key pinned, scripts the backup component writes) only while
// it uses it. Pure.
import { DIRECTOR_TO_STORAGE_ADDRESS } from "./render-director-conf";
import type { BaculaDevice, BaculaPlan } from "./bacula-plan";
import { type BaculaPaths, tlsFilesFor } from "./paths";
import { absolutePath, ipv4, line, name, password, quote, resource } from "./quote";
import { DAEMON_MESSAGES, messagesResource } from "./render-messages";
import { tlsLines } from "./render-tls";
import type { BaculaSecrets } from "./secrets";

function deviceResource(d: BaculaDevice): string {
  const at = `device ${d.name}`;
  const mount = d.mount
    ? [
        line("Requires Mount", "yes"),
        line("Mount Point", absolutePath(d.mount.point, `${at}.mount.point`)),
        // Bacula replaces %m with the mount point; the scripts take nothing else.
        line("Mount Command", quote(`${absolutePath(d.mount.mountCommand, `${at}.mount.mountCommand`).slice(1, -1)} %m`, `${at}.mount.mountCommand`)),
        line("Unmount Command", quote(`${absolutePath(d.mount.unmountCommand, `${at}.mount.unmountCommand`).slice(1, -1)} %m`, `${at}.mount.unmountCommand`)),
        line("Removable Media", "yes"),
        line("Always Open", "no"),
      ]
    : [line("Removable Media", "no"), line("Always Open", "no")];
  return resource("Device", [
    line("Name", name(d.name, "device.name")),
    line("Media Type", name(d.mediaType, `${at}.mediaType`)),
    line("Device Type", "File"),
    line("Archive Device", absolutePath(d.archiveDirectory, `${at}.archiveDirectory`)),
    line("LabelMedia", "yes"),
    line("Random Access", "yes"),
    line("AutomaticMount", "yes"),
    line("Maximum Concurrent Jobs", 5),
    ...mount,
  ], d.mount ? "The NAS copy volumes (mounted by the storage daemon when it needs them)." : "The file volumes on the DRBD volume.");
}

/** Who may connect to the storage daemon's data port: every file daemon, and the storage daemon itself. */
export function storageDaemonPeers(plan: BaculaPlan): string[] {
  return [...plan.clients.map((c) => c.tlsName), plan.storageDaemon.tlsName];
}

/** bacula-sd.conf. */
export function renderStorageDaemonConf(plan: BaculaPlan, secrets: BaculaSecrets, paths: BaculaPaths): string {
  const sd = plan.storageDaemon;
  return [
    `# Rendered by the iBac toolkit for the backup tier (${plan.director.vms.join(", ")}); do not edit: the next deployment overwrites it.\n`,
    resource("Storage", [
      line("Name", name(sd.name, "storageDaemon.name")),
      // The service address for the file daemons (TLS), the loopback for the director on the same VM.
      `  SDAddresses = { ip = { addr = ${DIRECTOR_TO_STORAGE_ADDRESS}; port = ${sd.port} } ip = { addr = ${ipv4(sd.address, "storageDaemon.address")}; port = ${sd.port} } }`,
      line("WorkingDirectory", absolutePath(sd.workingDirectory, "storageDaemon.workingDirectory")),
      line("Pid Directory", absolutePath(paths.pidDirectory, "paths.pidDirectory")),
      line("Maximum Concurrent Jobs", 20),
      // File daemons connect here to send their data: only the plan's clients' certificates, and the storage
      // daemon's own (a copy job's reading side connects to its writing side as a client; seen live).
      ...tlsLines({ files: tlsFilesFor(paths, "storage"), server: { allowedCns: storageDaemonPeers(plan) } }, "storageDaemon"),
    ], "The storage daemon: TLS only; file daemons need their own certificates."),
    resource("Director", [
      line("Name", name(plan.director.name, "director.name")),
      line("Password", password(secrets.storagePassword, "secrets.storagePassword")),
    ], "The director, over the loopback of this VM (see the director's Storage resources): password, no TLS."),
    ...plan.devices.map(deviceResource),
    messagesResource(DAEMON_MESSAGES, { catalog: false, director: plan.director.name }),
  ].join("\n");
}
