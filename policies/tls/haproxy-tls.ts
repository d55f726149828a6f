import type { DeliveredFile } from "../kit/rendered-files";
import { globalSetting, hasFlag, lastOptionValue, bindsOf, serversOf, type HaproxySection } from "../loadbalancer/haproxy-config";
import { haproxyConfigs } from "../loadbalancer/load-balancer-files";

/**
 * One TLS side of HAProxy as a policy judges it: a `bind ... ssl` (HAProxy serves TLS) or a `server ... ssl`
 * (HAProxy is the client), with the settings that apply to it: its own options first, then the global
 * `ssl-default-bind-*` / `ssl-default-server-*` ones.
 */
export interface HaproxyTlsSide {
  role: "server" | "client";
  vm: string;
  file: DeliveredFile;
  /** `bind 10.20.2.10:443` or `server api-1 10.20.2.40:8443`. */
  what: string;
  location: string;
  /** The oldest protocol allowed: `TLSv1.2`, or undefined when nothing sets it (HAProxy's built-in default). */
  minVersion: string | undefined;
  /** Protocols switched off by `no-tlsv1x` flags, and `force-*` that pins one. */
  flags: string[];
  /** TLS 1.2 suites (OpenSSL cipher string) and TLS 1.3 suites, undefined when not set. */
  ciphers: string | undefined;
  ciphersuites: string | undefined;
  /** Client side only: `verify` (none | required), `ca-file`, `verifyhost`. */
  verify?: string;
  caFile?: string;
  verifyHost?: string;
}

const PROTOCOL_FLAGS = /^(no-sslv3|no-tlsv1[0-3]|force-sslv3|force-tlsv1[0-3])$/;

function globalWords(sections: readonly HaproxySection[], keyword: string): string[] {
  return globalSetting(sections, keyword)?.words.slice(1) ?? [];
}

/** Every TLS bind and TLS server line of every haproxy.cfg the stack delivers. */
export function haproxyTlsSides(files: readonly DeliveredFile[]): HaproxyTlsSide[] {
  const sides: HaproxyTlsSide[] = [];
  for (const { file, sections } of haproxyConfigs(files)) {
    for (const role of ["server", "client"] as const) {
      const prefix = role === "server" ? "ssl-default-bind" : "ssl-default-server";
      const defaultOptions = globalWords(sections, `${prefix}-options`);
      const defaults = {
        ciphers: globalWords(sections, `${prefix}-ciphers`)[0],
        ciphersuites: globalWords(sections, `${prefix}-ciphersuites`)[0],
      };
      const lines = role === "server"
        ? sections.flatMap(bindsOf).map((b) => ({ section: b.section, words: b.words, what: `bind ${b.address}`, line: b.line }))
        : sections.flatMap(serversOf).map((s) => ({ section: s.section, words: s.words, what: `server ${s.name} ${s.address}`, line: s.line }));
      for (const l of lines.filter((x) => hasFlag(x.words, "ssl"))) {
        const options = [...defaultOptions, ...l.words];
        sides.push({
          role,
          vm: file.vm,
          file,
          what: l.what,
          location: `${file.path}: ${l.section.kind} ${l.section.name} (line ${l.line})`,
          minVersion: lastOptionValue(options, "ssl-min-ver"),
          flags: options.filter((w) => PROTOCOL_FLAGS.test(w)),
          ciphers: lastOptionValue(l.words, "ciphers") ?? defaults.ciphers,
          ciphersuites: lastOptionValue(l.words, "ciphersuites") ?? defaults.ciphersuites,
          ...(role === "client" ? { verify: lastOptionValue(l.words, "verify"), caFile: lastOptionValue(l.words, "ca-file"), verifyHost: lastOptionValue(l.words, "verifyhost") } : {}),
        });
      }
    }
  }
  return sides;
}
