import type { SinkMessage } from "./smtp-sink-types";

// What a notification mail says, read back from its Subject (the rendered ibac-notify writes
// `** TYPE Host Alert: HOST is STATE **` or `** TYPE Service Alert: HOST/SERVICE is STATE **`).

export interface Notification {
  type: string;
  host: string;
  /** Absent for a host notification. */
  service?: string;
  state: string;
  /** The monitoring VM that sent it (the SMTP client's address at the sink). */
  from: string;
  message: SinkMessage;
}

export function notificationOf(m: SinkMessage): Notification | undefined {
  const subject = m.headers.subject ?? "";
  const svc = /^\*\* ([A-Z]+) Service Alert: ([^/]+)\/(.+) is ([A-Z]+) \*\*$/.exec(subject);
  if (svc) return { type: svc[1], host: svc[2], service: svc[3], state: svc[4], from: m.remote, message: m };
  const host = /^\*\* ([A-Z]+) Host Alert: (.+) is ([A-Z]+) \*\*$/.exec(subject);
  if (host) return { type: host[1], host: host[2], state: host[3], from: m.remote, message: m };
  return undefined;
}

/** One line per notification, for assertions that show what came: `PROBLEM db-2/MariaDB connection CRITICAL`. */
export function describeNotification(n: Notification): string {
  return `${n.type} ${n.host}${n.service ? `/${n.service}` : ""} ${n.state}`;
}

export function notificationsOf(messages: readonly SinkMessage[]): Notification[] {
  return messages.map((m) => {
    const n = notificationOf(m);
    if (!n) throw new Error(`a mail at the sink is no notification: subject ${JSON.stringify(m.headers.subject)}`);
    return n;
  });
}
