import { stackPolicy } from "../kit/define-policy";
import { deliveredFiles } from "../kit/rendered-files";
import { reportFinding } from "../kit/report-finding";
import type { IbacStackPolicy } from "../kit/types";
import { effectiveValue } from "../database/option-files";
import { mariadbSettingsNamed, mariadbTlsServers, providerInput, proxmoxProviders } from "./tls-evidence";
import { haproxyTlsSides } from "./haproxy-tls";

const VERSIONS = ["1.0", "1.1", "1.2", "1.3"] as const;
/** The oldest protocol any endpoint may accept (seed design: "TLS 1.2 and AES 256"). */
export const MIN_TLS = "1.2";

function rank(version: string): number {
  return VERSIONS.indexOf(version as (typeof VERSIONS)[number]);
}

/** MariaDB's name of a protocol version (`TLSv1.2`), or undefined for a token it does not name. */
function mariadbVersion(token: string): string | undefined {
  const m = /^tlsv(1\.[0-3]|1)$/i.exec(token.trim());
  if (!m) return undefined;
  return m[1] === "1" ? "1.0" : m[1];
}

/**
 * Seed design, "Overview": every interaction over a secure channel (TLS 1.2 and AES-256). Only TLS 1.2 and 1.3
 * are allowed: in the spec, in every TLS endpoint the stack renders (MariaDB's tls_version; HAProxy's binds and
 * its TLS connections to backends, by ssl-min-ver on the line or in ssl-default-bind/server-options), and for
 * the Proxmox API calls the provider makes.
 */
export function tlsProtocolVersionsPolicy(): IbacStackPolicy {
  return stackPolicy({
    name: "tls-protocol-versions",
    description:
      "Only TLS 1.2 and 1.3 are accepted: the spec's tls.minVersion, every rendered TLS endpoint (MariaDB's tls_version, HAProxy's ssl-min-ver on its binds and backend connections) and the Proxmox provider's minTls allow nothing older.",
    requirements: ["IBAC-TLS-001"],
    severity: "critical",
    enforcementLevel: "mandatory",
  }, async (view, resources, report) => {
    const specMin = String(view.spec.tls.minVersion);
    if (rank(specMin) < rank(MIN_TLS)) {
      reportFinding(report, { subject: "minimum TLS version in the spec", observed: `minVersion: "${specMin}"`, expected: `"${MIN_TLS}" or "1.3"`, urn: view.urn, location: "spec.tls.minVersion" });
    }
    // The endpoints must honour the stricter of the policy's floor and the spec's.
    const floor = rank(specMin) > rank(MIN_TLS) ? specMin : MIN_TLS;
    const allowed = VERSIONS.filter((v) => rank(v) >= rank(floor)).map((v) => `TLSv${v}`);

    const files = await deliveredFiles(resources, view.model);
    for (const s of mariadbSettingsNamed(files, ["tls_version"])) {
      const tokens = s.value.split(",").map((t) => t.trim()).filter(Boolean);
      const bad = tokens.filter((t) => {
        const v = mariadbVersion(t);
        return v === undefined || rank(v) < rank(floor);
      });
      if (bad.length || tokens.length === 0) {
        reportFinding(report, {
          subject: `TLS protocols of ${s.vm}'s MariaDB`,
          observed: `tls_version = ${s.value}${bad.length ? ` (${bad.join(", ")} not allowed)` : ""}`,
          expected: `tls_version = ${allowed.join(",")} (nothing older than TLS ${floor})`,
          urn: s.urn,
          location: `${s.path} [${s.group}]`,
        });
      }
    }
    for (const server of mariadbTlsServers(files)) {
      if (!effectiveValue(server.settings, "tls_version")) {
        reportFinding(report, {
          subject: `TLS protocols of ${server.vm}'s MariaDB`,
          observed: "tls_version not set (the server's built-in default protocols)",
          expected: `tls_version = ${allowed.join(",")}`,
          urn: server.enabledBy.urn,
          location: server.enabledBy.path,
        });
      }
    }

    for (const side of haproxyTlsSides(files)) {
      const subject = `TLS protocols of ${side.vm}'s HAProxy ${side.role === "server" ? "front end" : "connection to a backend"} (${side.what})`;
      const min = side.minVersion?.replace(/^TLSv/, "");
      const forced = side.flags.filter((f) => f.startsWith("force-"));
      // force-tlsv12 pins TLS 1.2 (`force-tlsv1N` is TLS 1.N); force-sslv3 is older than anything allowed.
      const forcedTooOld = forced.filter((f) => f === "force-sslv3" || rank(f.replace("force-tlsv1", "1.")) < rank(floor));
      if (min === undefined || rank(min) < 0 || rank(min) < rank(floor) || forcedTooOld.length) {
        reportFinding(report, {
          subject,
          observed: min === undefined ? "ssl-min-ver not set (HAProxy's built-in default)" : `ssl-min-ver ${side.minVersion}${forced.length ? ` ${forced.join(" ")}` : ""}`,
          expected: `ssl-min-ver TLSv${floor} (nothing older than TLS ${floor})`,
          urn: side.file.urn,
          location: side.location,
        });
      }
    }

    for (const provider of proxmoxProviders(resources)) {
      const minTls = providerInput(provider, "minTls");
      if (minTls === undefined || rank(minTls) < rank(MIN_TLS)) {
        reportFinding(report, {
          subject: "minimum TLS version of the Proxmox API calls",
          observed: minTls === undefined ? "minTls not set (left to the provider's default or its environment)" : `minTls: "${minTls}"`,
          expected: `minTls "${MIN_TLS}" or "1.3"`,
          urn: provider.urn,
          location: "inputs.minTls",
        });
      }
    }
  });
}
