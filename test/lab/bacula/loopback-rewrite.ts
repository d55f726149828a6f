// The one place where the rendered Bacula files are changed for the loopback lab, and only where a lab on one
// machine must differ: addresses (127.0.0.1) and ports (free ones, one per daemon), schedules off (the tests
// start every job; an hourly Hanoi run must not fire in the middle), the database backup directory (a path of
// the database tier, not of the Bacula paths table, so it is not below the lab root otherwise). The two
// changes this lab first found by running the files are the renderers' own now (the director dials its storage
// daemon on the loopback without TLS, which Bacula 9.6.7's copy jobs need; the storage daemon admits its own
// certificate for a copy job's reading side).
// Everything else (pools, jobs, file sets, TLS elsewhere, PKI, Accurate, Copy/Next Pool) runs as rendered. Paths
// come from the renderers' own paths table, moved below the lab root (no rewrite needed).

export interface LoopbackPorts {
  director: number;
  storage: number;
  /** By client name. */
  clients: Readonly<Record<string, number>>;
}

export interface LoopbackRewrite {
  ports: LoopbackPorts;
  /** Path replacements inside FileSet resources (production path -> lab path). */
  fileSetPaths: Readonly<Record<string, string>>;
}

export type RenderedKind = "director" | "storage" | "fileDaemon" | "console";

const LOOPBACK = "127.0.0.1";

interface Block {
  type: string;
  lines: string[];
}

/** Top-level resources of a rendered file (the renderers write `Type {` and `}` at column 0), comments kept. */
function blocks(text: string): (Block | string)[] {
  const out: (Block | string)[] = [];
  let current: Block | undefined;
  for (const line of text.split("\n")) {
    if (!current) {
      const m = /^([A-Za-z][A-Za-z ]*) \{$/.exec(line);
      if (m) current = { type: m[1], lines: [line] };
      else out.push(line);
    } else {
      current.lines.push(line);
      if (line === "}") {
        out.push(current);
        current = undefined;
      }
    }
  }
  if (current) throw new Error(`rendered Bacula file: resource ${current.type} is not closed`);
  return out;
}

const nameOf = (b: Block): string => {
  const m = b.lines.map((l) => /^\s*Name = "?([^"]+)"?$/.exec(l)).find(Boolean);
  if (!m) throw new Error(`rendered Bacula file: a ${b.type} resource without a Name`);
  return m[1];
};

/** Replaces exactly one line of the block matching `re` (a renderer change that breaks the lab fails here). */
function replaceOne(b: Block, re: RegExp, replacement: string, what: string): void {
  const idx = b.lines.map((l, i) => (re.test(l) ? i : -1)).filter((i) => i >= 0);
  if (idx.length !== 1) throw new Error(`loopback rewrite: ${b.type} ${nameOf(b)}: expected one ${what} line, found ${idx.length}`);
  b.lines[idx[0]] = replacement;
}

const addresses = (keyword: string, port: number): string => `  ${keyword} = { ip = { addr = ${LOOPBACK}; port = ${port} } }`;

export function loopbackRewrite(kind: RenderedKind, text: string, r: LoopbackRewrite): string {
  const portOf = (client: string): number => {
    const p = r.ports.clients[client];
    if (p === undefined) throw new Error(`loopback rewrite: no port for client ${client}`);
    return p;
  };
  const parts = blocks(text);
  for (const b of parts) {
    if (typeof b === "string") continue;
    if (kind === "director") {
      if (b.type === "Director") replaceOne(b, /^\s*DirAddresses = /, addresses("DirAddresses", r.ports.director), "DirAddresses");
      if (b.type === "Storage") {
        replaceOne(b, /^\s*FD Storage Address = /, `  FD Storage Address = "${LOOPBACK}"`, "FD Storage Address");
        replaceOne(b, /^\s*SDPort = /, `  SDPort = ${r.ports.storage}`, "SDPort");
      }
      if (b.type === "Client" && r.ports.clients[nameOf(b)] !== undefined) {
        replaceOne(b, /^\s*Address = /, `  Address = "${LOOPBACK}"`, "Address");
        replaceOne(b, /^\s*FDPort = /, `  FDPort = ${portOf(nameOf(b))}`, "FDPort");
      }
      if (b.type === "Job") b.lines = b.lines.filter((l) => !/^\s*Schedule = /.test(l));
      if (b.type === "FileSet") {
        b.lines = b.lines.map((l) => Object.entries(r.fileSetPaths).reduce((acc, [from, to]) => acc.split(`"${from}`).join(`"${to}`), l));
      }
    }
    if (kind === "storage") {
      if (b.type === "Storage") replaceOne(b, /^\s*SDAddresses = /, addresses("SDAddresses", r.ports.storage), "SDAddresses");
    }
    if (kind === "fileDaemon" && b.type === "FileDaemon") {
      const port = portOf(nameOf(b));
      // A client that moves with a virtual address (s3-fd) listens on every address with FDPort; here it too
      // listens on 127.0.0.1 only (other helpers share this machine).
      const listen = b.lines.some((l) => /^\s*FDAddresses = /.test(l)) ? /^\s*FDAddresses = / : /^\s*FDPort = /;
      replaceOne(b, listen, addresses("FDAddresses", port), "FDAddresses or FDPort");
    }
    if (kind === "console" && b.type === "Director") {
      replaceOne(b, /^\s*Address = /, `  Address = "${LOOPBACK}"`, "Address");
      replaceOne(b, /^\s*DIRport = /, `  DIRport = ${r.ports.director}`, "DIRport");
    }
  }
  return parts.map((b) => (typeof b === "string" ? b : b.lines.join("\n"))).join("\n");
}
