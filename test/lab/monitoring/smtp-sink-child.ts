// The SMTP sink's server process (smtp-sink.ts starts it inside a network namespace with `ip netns exec`, so
// it listens on the relay's address there). It prints one JSON line per event on standard output: `listening`,
// `rejected` (a MAIL FROM before STARTTLS) and `message` (envelope, headers, body). Configuration: one JSON
// argument (SinkChildConfig).
import * as fs from "node:fs";
import { SMTPServer } from "smtp-server";
import type { SinkChildConfig, SinkEvent } from "./smtp-sink-types";

const config = JSON.parse(process.argv[2] ?? "{}") as SinkChildConfig;
const emit = (e: SinkEvent): void => {
  process.stdout.write(`${JSON.stringify(e)}\n`);
};

/** Headers of an RFC 5322 message: unfolded, names lower-cased; the body after the first empty line. */
function split(raw: string): { headers: Record<string, string>; body: string } {
  const text = raw.replace(/\r\n/g, "\n");
  const end = text.indexOf("\n\n");
  const head = end < 0 ? text : text.slice(0, end);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\n[ \t]+/g, " ").split("\n")) {
    const m = /^([!-9;-~]+):\s?(.*)$/.exec(line);
    if (m) headers[m[1].toLowerCase()] = m[2];
  }
  return { headers, body: end < 0 ? "" : text.slice(end + 2) };
}

const server = new SMTPServer({
  name: "ibac-lab-sink",
  banner: "iBac lab SMTP sink",
  authOptional: true,
  // Without a certificate the sink offers no STARTTLS at all: the relay msmtp must refuse.
  ...(config.tls
    ? { key: fs.readFileSync(config.tls.keyFile), cert: fs.readFileSync(config.tls.certFile) }
    : { disabledCommands: ["STARTTLS"] }),
  onMailFrom(address, session, callback) {
    if (config.requireStartTls && !session.secure) {
      emit({ kind: "rejected", from: address.address, remote: session.remoteAddress });
      const err = new Error("Must issue a STARTTLS command first") as Error & { responseCode: number };
      err.responseCode = 530;
      callback(err);
      return;
    }
    callback();
  },
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const { headers, body } = split(raw);
      emit({
        kind: "message",
        receivedAt: Date.now(),
        secure: session.secure,
        tlsProtocol: session.secure ? (session as unknown as { tlsOptions?: { version?: string } }).tlsOptions?.version ?? "" : "",
        remote: session.remoteAddress,
        mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
        rcptTo: session.envelope.rcptTo.map((r) => r.address),
        headers,
        body,
      });
      callback();
    });
  },
});
server.on("error", (err) => process.stderr.write(`sink: ${err.message}\n`));
server.listen(config.port, config.address, () => emit({ kind: "listening", address: config.address, port: config.port }));
const stop = (): void => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
