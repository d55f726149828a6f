// Where Bacula's daemons report: the VM's syslog (the logging seam, components/logging/local-syslog.ts: Bacula
// writes through syslog(3), i.e. /dev/log), and on the director the catalog too (bconsole `list joblog`).
// Mail to the operators is issue 15's.
import { line, name, resource } from "./quote";

/** The jobs' messages (director). */
export const JOB_MESSAGES = "Standard";
/** The daemons' own messages. */
export const DAEMON_MESSAGES = "Daemon";

/** Everything but the per-file noise (skipped, saved and restored files). */
const WHAT = "all, !skipped, !saved, !restored";

export function messagesResource(messagesName: string, options: { catalog: boolean; director?: string }): string {
  return resource("Messages", [
    line("Name", name(messagesName, "messages.name")),
    line("syslog", WHAT),
    ...(options.catalog ? [line("catalog", WHAT), line("console", WHAT)] : []),
    ...(options.director ? [line("director", `${name(options.director, "messages.director").slice(1, -1)} = ${WHAT}`)] : []),
  ]);
}
