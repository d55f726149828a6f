import * as net from "node:net";
import * as tls from "node:tls";
import * as fs from "node:fs";
import { LAB_S3_NAME, type LabTls } from "./s3-lab";

// A TLS-terminating proxy in front of the lab's S3 server, to break what the archive job sends or receives at a
// chosen point: it presents the lab certificate (so mc's verification of the internal CA still holds), sees the
// HTTP in clear, and re-encrypts to moto with the CA verified. HTTP/1.1 without pipelining (Go's client waits
// for each response), so one request at a time per connection.

export type FaultMode =
  /** Forward untouched. */
  | { kind: "pass" }
  /** Once a PUT's connection has carried `afterBytes` towards the server, cut it (both sides). */
  | { kind: "cutPut"; afterBytes: number; onCut?: () => void | Promise<void> }
  /** Forward untouched, but call `then` once when a PUT's connection has carried `afterBytes` (to kill the server mid-upload). */
  | { kind: "onPut"; afterBytes: number; then: () => void | Promise<void> }
  /**
   * Hold the first HEAD after a PUT (the job's look at what it uploaded) until `replace` has finished (another
   * writer storing something else under the same key, straight to the server): the job then checks an object
   * that is not its upload.
   */
  | { kind: "replaceAfterPut"; replace: () => Promise<void> }
  /** Flip one byte of the body of every GET response for a request naming a versionId (the read-back). */
  | { kind: "corruptVersionedGet" };

export interface FaultProxy {
  port: number;
  mode: FaultMode;
  /** How many connections were cut, and GET bodies corrupted. */
  cuts: number;
  corrupted: number;
  /** Whether replaceAfterPut's replacement ran. */
  replaced: boolean;
  close(): Promise<void>;
}

export async function startFaultProxy(labTls: LabTls, upstreamPort: number, mode: FaultMode): Promise<FaultProxy> {
  const ca = fs.readFileSync(labTls.ca.cert);
  const sockets = new Set<net.Socket>();
  let putSeen = false;
  const state: FaultProxy = { port: 0, mode, cuts: 0, corrupted: 0, replaced: false, close: async () => undefined };
  const server = tls.createServer({ cert: fs.readFileSync(labTls.certFile), key: fs.readFileSync(labTls.keyFile) }, (client) => {
    const upstream = tls.connect({ host: "127.0.0.1", port: upstreamPort, ca, servername: LAB_S3_NAME });
    sockets.add(client);
    sockets.add(upstream);
    let sentBytes = 0;
    let isPut = false;
    let corruptNext = false;
    let cut = false;
    let called = false;
    const cutBoth = (): void => {
      if (cut) return;
      cut = true;
      state.cuts += 1;
      client.destroy();
      upstream.destroy();
    };
    client.on("data", (chunk: Buffer) => {
      const text = chunk.subarray(0, 2048).toString("latin1");
      const requestLine = /^(GET|PUT|POST|HEAD|DELETE) (\S+) HTTP\/1\.1\r\n/.exec(text);
      if (requestLine) {
        isPut = requestLine[1] === "PUT";
        corruptNext = requestLine[1] === "GET" && requestLine[2].includes("versionId=") && state.mode.kind === "corruptVersionedGet";
        sentBytes = 0;
      }
      const m = state.mode;
      if (requestLine?.[1] === "PUT") putSeen = true;
      if (m.kind === "replaceAfterPut" && requestLine?.[1] === "HEAD" && putSeen && !state.replaced) {
        state.replaced = true;
        client.pause();
        void m.replace().finally(() => {
          upstream.write(chunk);
          client.resume();
        });
        return;
      }
      if (m.kind === "cutPut" && isPut && sentBytes + chunk.length > m.afterBytes) {
        upstream.write(chunk.subarray(0, Math.max(0, m.afterBytes - sentBytes)), () => {
          cutBoth();
          void m.onCut?.();
        });
        return;
      }
      sentBytes += chunk.length;
      upstream.write(chunk);
      if (m.kind === "onPut" && isPut && sentBytes > m.afterBytes && !called) {
        called = true;
        void m.then();
      }
    });
    let pending = Buffer.alloc(0);
    upstream.on("data", (chunk: Buffer) => {
      if (!corruptNext) {
        client.write(chunk);
        return;
      }
      // Hold the response until its header ends, then flip the first body byte and forward the rest as is.
      pending = Buffer.concat([pending, chunk]);
      const end = pending.indexOf("\r\n\r\n");
      if (end < 0 || pending.length <= end + 4) return;
      pending[end + 4] ^= 0x01;
      state.corrupted += 1;
      corruptNext = false;
      client.write(pending);
      pending = Buffer.alloc(0);
    });
    client.on("end", () => upstream.end());
    upstream.on("end", () => client.end());
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.on("close", () => sockets.delete(client));
    upstream.on("close", () => sockets.delete(upstream));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the fault proxy has no port");
  state.port = address.port;
  state.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}
