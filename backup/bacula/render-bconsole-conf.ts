// bconsole.conf on the backup VMs, for the runbooks and the admins: the named console (limited by its ACL in
// bacula-dir.conf), TLS with the console certificate. It never holds the director's own password. Pure.
import type { BaculaPlan } from "./bacula-plan";
import { type BaculaPaths, tlsFilesFor } from "./paths";
import { line, name, password, quote, resource } from "./quote";
import { tlsLines } from "./render-tls";
import type { BaculaSecrets } from "./secrets";

/** bconsole.conf. */
export function renderBconsoleConf(plan: BaculaPlan, secrets: BaculaSecrets, paths: BaculaPaths): string {
  const tls = tlsFilesFor(paths, "console");
  return [
    `# Rendered by the iBac toolkit for the backup tier (${plan.director.vms.join(", ")}); do not edit: the next deployment overwrites it.\n`,
    resource("Director", [
      line("Name", name(plan.director.name, "director.name")),
      line("DIRport", plan.director.port),
      line("Address", quote(plan.director.address, "director.address")),
      // Required here, used only without a Console resource: the console's, so the file never grants more.
      line("Password", password(secrets.consolePassword, "secrets.consolePassword")),
      ...tlsLines({ files: tls }, "bconsole.director"),
    ]),
    resource("Console", [
      line("Name", name(plan.console.name, "console.name")),
      line("Director", name(plan.director.name, "director.name")),
      line("Password", password(secrets.consolePassword, "secrets.consolePassword")),
      ...tlsLines({ files: tls }, "bconsole.console"),
    ]),
  ].join("\n");
}
