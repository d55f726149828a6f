import * as path from "node:path";

// Where everything of one Bacula lab lives (all under one mkdtemp root) and which names and ports it uses.
// The configs (hand-configs.ts, or the rendered ones rewritten for loopback) are written from this.

export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
  /** The certificate's CN: what the peer lists in `TLS Allowed CN`. */
  commonName: string;
}

/** A file daemon of the lab: one process, its own port, its own PKI keypair (or the master's, for the restore). */
export interface LabClient {
  name: string;
  port: number;
  password: string;
  dir: string;
  conf: string;
  tls: TlsFiles;
  /** PEM: certificate + private key the daemon signs and decrypts with. */
  pkiKeypair: string;
  /** PEM: the master key's certificate every backup is also encrypted for; absent on restore-only clients. */
  pkiMasterKey?: string;
}

export interface LabLayout {
  root: string;
  director: { name: string; port: number; password: string; dir: string; conf: string; tls: TlsFiles; catalogFile: string; log: string };
  storage: { name: string; port: number; password: string; dir: string; conf: string; tls: TlsFiles };
  /** The director's Storage resources, one per SD device. */
  devices: { local: { storage: string; device: string; mediaType: string; dir: string }; nas: { storage: string; device: string; mediaType: string; dir: string } };
  clients: LabClient[];
  console: { conf: string; tls: TlsFiles };
  /** Where restores land by default (each restore passes its own `where=`). */
  restoreRoot: string;
  /** The directories the lab's file sets save. */
  photosDir: string;
  databaseBackupDir: string;
  /**
   * TLS on the Director <-> Storage daemon link. Off by default: with it, Bacula 9.6.7 (bookworm, OpenSSL 3) never
   * finishes a copy job. The storage daemon's reading side closes its director socket with a blocking
   * bidirectional SSL_shutdown (tls_bsock_shutdown) and waits for the director's close_notify; the director waits
   * for the writing side, which waits for the reading side's data socket to close (seen with gdb:
   * BSOCK::~BSOCK -> tls_bsock_shutdown -> BIO_read). Every other link keeps TLS.
   */
  directorStorageTls: boolean;
}

export const LAB_ADDRESS = "127.0.0.1";

export function clientByName(layout: LabLayout, name: string): LabClient {
  const c = layout.clients.find((x) => x.name === name);
  if (!c) throw new Error(`the Bacula lab has no client ${name} (has ${layout.clients.map((x) => x.name).join(", ")})`);
  return c;
}

export function daemonDir(root: string, name: string): string {
  return path.join(root, name);
}
