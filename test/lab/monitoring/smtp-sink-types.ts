/** What smtp-sink-child.ts is started with (one JSON argument). */
export interface SinkChildConfig {
  address: string;
  port: number;
  /** The sink's certificate (from the lab's throwaway CA); absent: no STARTTLS offered. */
  tls?: { certFile: string; keyFile: string };
  /** Refuse MAIL FROM (530) until the session is secure. */
  requireStartTls: boolean;
}

/** One message the sink accepted. */
export interface SinkMessage {
  kind: "message";
  /** Date.now() in the sink when the DATA ended. */
  receivedAt: number;
  /** Whether the session was under STARTTLS when the message came. */
  secure: boolean;
  tlsProtocol: string;
  remote: string;
  mailFrom: string;
  rcptTo: string[];
  /** Header names lower-cased, folded lines joined. */
  headers: Record<string, string>;
  body: string;
}

export type SinkEvent =
  | { kind: "listening"; address: string; port: number }
  | { kind: "rejected"; from: string; remote: string }
  | SinkMessage;
