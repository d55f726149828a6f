// What a policy needs to judge an HAProxy config, read from the text itself (not from the plan that produced
// it): the binds of each frontend with their effective TLS settings, and the servers of each backend with how
// they verify. Pure. A reader of the subset the toolkit writes (section headers, one directive a line, `#`
// comments); a directive it does not know is ignored, never guessed at.

export interface BindFact {
  address: string;
  port: number;
  ssl: boolean;
  crt?: string;
  /** The TLS 1.2 and 1.3 suites this bind offers: its own `ciphers`/`ciphersuites`, else the global defaults. */
  tls12: string[];
  tls13: string[];
  /** `ssl-min-ver` of the bind, else of `ssl-default-bind-options`; undefined when neither sets one. */
  minVersion?: string;
}

export interface ServerFact {
  name: string;
  address: string;
  port: number;
  ssl: boolean;
  /** `verify` of the server, else `required` unless the global `ssl-server-verify none` (HAProxy's rule). */
  verify: string;
  caFile?: string;
  verifyhost?: string;
}

export interface HaproxyFacts {
  frontends: { name: string; binds: BindFact[]; defaultBackend?: string }[];
  backends: { name: string; servers: ServerFact[] }[];
}

const SECTION = /^(global|defaults|frontend|backend|listen)(?:\s+(\S+))?/;

function words(line: string): string[] {
  return line.split(/\s+/).filter(Boolean);
}

/** The word after `key` in `list`, if `key` is there. */
function after(list: readonly string[], key: string): string | undefined {
  const i = list.indexOf(key);
  return i >= 0 ? list[i + 1] : undefined;
}

function hostPort(value: string): { address: string; port: number } {
  const i = value.lastIndexOf(":");
  return { address: value.slice(0, i), port: Number(value.slice(i + 1)) };
}

const suites = (value: string | undefined): string[] => (value ?? "").split(":").filter(Boolean);

export function haproxyFacts(text: string): HaproxyFacts {
  const global = new Map<string, string[]>();
  const sections: { kind: string; name: string; lines: string[][] }[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/(^|\s)#.*$/, "").trim();
    if (!line) continue;
    const header = SECTION.exec(line);
    if (header && !raw.startsWith(" ") && !raw.startsWith("\t")) {
      sections.push({ kind: header[1], name: header[2] ?? "", lines: [] });
      continue;
    }
    const w = words(line);
    const current = sections[sections.length - 1];
    if (!current) continue;
    if (current.kind === "global") global.set(w[0], w.slice(1));
    else current.lines.push(w);
  }
  const defaultsOptions = global.get("ssl-default-bind-options") ?? [];
  const serverVerifyDefault = (global.get("ssl-server-verify") ?? ["required"])[0];
  const bindOf = (w: string[]): BindFact => {
    const opts = w.slice(2);
    const { address, port } = hostPort(w[1] ?? "");
    const minVersion = after(opts, "ssl-min-ver") ?? after(defaultsOptions, "ssl-min-ver");
    const crt = after(opts, "crt");
    return {
      address, port, ssl: opts.includes("ssl"),
      ...(crt ? { crt } : {}),
      tls12: suites(after(opts, "ciphers") ?? global.get("ssl-default-bind-ciphers")?.[0]),
      tls13: suites(after(opts, "ciphersuites") ?? global.get("ssl-default-bind-ciphersuites")?.[0]),
      ...(minVersion ? { minVersion } : {}),
    };
  };
  const serverOf = (w: string[]): ServerFact => {
    const opts = w.slice(3);
    const { address, port } = hostPort(w[2] ?? "");
    const caFile = after(opts, "ca-file");
    const verifyhost = after(opts, "verifyhost");
    return { name: w[1] ?? "", address, port, ssl: opts.includes("ssl"), verify: after(opts, "verify") ?? serverVerifyDefault, ...(caFile ? { caFile } : {}), ...(verifyhost ? { verifyhost } : {}) };
  };
  const frontends = sections.filter((s) => s.kind === "frontend" || s.kind === "listen").map((s) => {
    const defaultBackend = s.kind === "listen" ? s.name : s.lines.find((w) => w[0] === "default_backend")?.[1];
    return { name: s.name, binds: s.lines.filter((w) => w[0] === "bind").map(bindOf), ...(defaultBackend ? { defaultBackend } : {}) };
  });
  const backends = sections.filter((s) => s.kind === "backend" || s.kind === "listen")
    .map((s) => ({ name: s.name, servers: s.lines.filter((w) => w[0] === "server").map(serverOf) }));
  return { frontends, backends };
}
