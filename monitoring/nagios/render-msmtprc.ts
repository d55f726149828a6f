// msmtprc: the mail client of the notification script. STARTTLS is required (`tls_starttls on`: msmtp refuses
// to send when the relay does not offer it) and the relay's certificate is verified; no authentication (the
// relay accepts the platform's address). msmtp reads the file as the nagios user: 0640 root:nagios.

import type { NotificationPlan } from "../plan/types";
import type { EnginePaths } from "../paths";
import { commandArgument, filePath, HOST_NAME, HOST_NAME_EXPECTED, port } from "./object-text";

/** An address as msmtp's `from` and a header: the spec's pattern allows more than this, the relay seldom does. */
const ADDRESS = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+$/;

export function senderAddress(from: string): string {
  return commandArgument(from, ADDRESS, "an e-mail address of letters, digits and '._%+-'", "notifications.from");
}

export function renderMsmtprc(notifications: NotificationPlan, paths: EnginePaths): string {
  return [
    "# The notification mail client (msmtp). Rendered by ibac: edits are overwritten.",
    "defaults",
    "syslog LOG_MAIL",
    "timeout 30",
    "",
    // The account itself is `default`: msmtp 1.8.23's `account default : relay` copy drops
    // allow_from_override (verified with --pretend).
    "account default",
    `host ${commandArgument(notifications.relay.host, HOST_NAME, HOST_NAME_EXPECTED, "notifications.relay.host")}`,
    `port ${port(notifications.relay.port, "notifications.relay.port")}`,
    "tls on",
    "tls_starttls on",
    "tls_certcheck on",
    `tls_trust_file ${filePath(paths.relayTrustFile, "relayTrustFile")}`,
    `from ${senderAddress(notifications.from)}`,
    // The script writes From itself; nobody overrides the envelope sender.
    "allow_from_override off",
    "set_from_header off",
    "auth off",
    "",
  ].join("\n");
}
