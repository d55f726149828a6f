// The passwords Bacula's daemons authenticate each other with (under TLS). Plain strings here: the backup
// component creates them with @pulumi/random and calls the renderers inside pulumi.all, so they reach only
// the rendered files (Pulumi secrets, 0640 on the VMs), never a plan, a snapshot or a log.
import type { BaculaName, BaculaPlan } from "./bacula-plan";

export interface BaculaSecrets {
  /** The director's own password: the default (unrestricted) console's. No file but bacula-dir.conf holds it. */
  directorPassword: string;
  /** The named console's password (bconsole.conf), limited by the console ACL. */
  consolePassword: string;
  /** The director's password at the storage daemon. */
  storagePassword: string;
  /** The director's password at each file daemon, by client name. */
  clientPasswords: Readonly<Record<BaculaName, string>>;
}

/** The names the component creates one random password for each: `director`, `console`, `storage`, then each client. */
export function baculaSecretNames(plan: BaculaPlan): string[] {
  return ["director", "console", "storage", ...plan.clients.map((c) => c.name)];
}
