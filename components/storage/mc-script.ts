import { shellQuote } from "../../playbooks/engine/shell-quote";
import type { ObjectServicePlan } from "./storage-plan";
import { MINIO_CA_FILE } from "./minio-paths";
import { checkedService, checkPath } from "./minio-values";

// The part every `mc` script run on the Promoted storage VM shares: where mc is, that this VM holds the service
// address, the keys read from standard input (never argv), the `local` alias as an MC_HOST_ variable, and a
// throwaway mc configuration that trusts the internal CA and is deleted on exit.
//
// Why MC_HOST_<alias> and standard input: `mc alias set` takes the keys as arguments (visible to every local
// user in /proc/<pid>/cmdline) or writes them to ~/.mc/config.json (a copy on disk that outlives the run). An
// environment variable is readable only by the process's own user and root (/proc/<pid>/environ), and the keys
// arrive on the remote command's standard input, which Pulumi sends as a secret. mc parses
// `https://KEY:SECRET@host:port` by regular expression, so neither key may hold ':' (the secret would be read
// as a session token) nor whitespace; the script refuses such a key before it is used.

/** The MinIO client (`mc`) on the storage VMs, installed from the spec's pinned objectStore.minioClient. */
export const MC_BINARY = "/usr/local/bin/mc";
/** The exit code of an mc script run on the storage VM that does not hold the service address (not an error). */
export const NOT_PROMOTED_EXIT = 3;


/**
 * The shell function `check_key NAME VALUE` (it calls the script's `fail`): a key goes into an MC_HOST_ URL, so
 * printable, no spaces, no ':'. Its value is never shown.
 */
export const MC_CHECK_KEY_SHELL = `# A key goes into an MC_HOST_ URL: printable, no spaces, no ':' (mc splits on it). Its value is never shown.
check_key() {
  [[ $2 =~ ^[[:graph:]]+$ && $2 != *:* ]] || fail "$1: expected printable characters without ':' or spaces, found ${"$"}{#2} characters that are not (not shown)"
}
`;

/** The shell variable names a throwaway mc configuration is built from (see mcThrowawayConfig). */
export interface McSessionVariables {
  /** The alias mc commands use (`local/<bucket>`): MC_HOST_<alias>. */
  alias: string;
  /** Variables holding the access and secret keys (checked with check_key first). */
  access: string;
  secret: string;
  /** Variables holding `<server name>:<port>` and the address the name is resolved to. */
  hostPort: string;
  address: string;
}

/**
 * Shell lines, after MC and CA_FILE are set: a throwaway mc configuration directory that trusts the internal CA
 * (mc reads extra CAs from `<config dir>/certs/CAs`), deleted on exit; the alias as an MC_HOST_ variable; and
 * `mcx`, which runs mc with that configuration and the server name resolved to the service address. The one
 * way the toolkit's scripts run mc (the storage tier's, and the FRS archive job).
 */
export function mcThrowawayConfig(v: McSessionVariables): string {
  return `config_dir=$(mktemp -d)
trap 'rm -rf "$config_dir"' EXIT
install -d -m 0700 "$config_dir/certs/CAs"
install -m 0600 "$CA_FILE" "$config_dir/certs/CAs/ibac-ca.pem"
export MC_HOST_${v.alias}="https://$${v.access}:$${v.secret}@$${v.hostPort}"

# mc with the throwaway configuration (no aliases on disk, the internal CA trusted), the server name resolved
# to the service address whatever DNS says.
mcx() {
  "$MC" --config-dir "$config_dir" --resolve "$${v.hostPort}=$${v.address}" --no-color "$@"
}
`;
}

export interface McScriptOptions {
  /** Paths, for tests that run the script against a stand-in mc. */
  mcBinary?: string;
  caFile?: string;
}

export interface McPrelude {
  /** The script's text up to where its own commands begin; `mcx` runs mc with the throwaway configuration. */
  text: string;
}

/** The keys a script reads from standard input, in order: shell variable names. */
export type KeyVariable = "local_access" | "local_secret" | "remote_access" | "remote_secret";

/**
 * The common start of an mc script: `name` for its messages, `keys` the variables read from standard input
 * one per line, in order.
 */
export function mcPrelude(name: string, description: string, service: ObjectServicePlan, keys: readonly KeyVariable[], opts: McScriptOptions = {}): McPrelude {
  checkedService(service, name);
  const mc = checkPath(opts.mcBinary ?? MC_BINARY, `${name}: mcBinary`);
  const ca = checkPath(opts.caFile ?? MINIO_CA_FILE, `${name}: caFile`);
  const hostPort = `${service.serverName}:${service.port}`;
  const reads = keys.map((k) => `IFS= read -r ${k} || fail "expected ${keys.length} keys on standard input, one per line (${keys.join(", ")}); ${k} is missing"\ncheck_key ${k} "$${k}"`).join("\n");
  const text = `#!/bin/bash
# Rendered by the iBac toolkit: ${description}
# Run on the Promoted storage VM by the deployment; the keys arrive on standard input, never as arguments.
set -euo pipefail
export LC_ALL=C
umask 077
readonly NAME=${shellQuote(name)}
readonly MC=${shellQuote(mc)}
readonly CA_FILE=${shellQuote(ca)}
readonly SERVICE_ADDRESS=${shellQuote(service.address)}
readonly LOCAL_HOST_PORT=${shellQuote(hostPort)}

fail() {
  echo "$NAME: $*" >&2
  exit 1
}

${MC_CHECK_KEY_SHELL}
[ -x "$MC" ] || fail "no MinIO client at $MC (mc RELEASE.2024-03 or later, objectStore.minioClient)"
# The service address moves with the Promoted role: only the VM that holds it runs MinIO and may be configured.
# The deployment runs the script on both storage VMs; the one without the address says so and exits 3 (NOT_HERE).
if ! ip -o -4 addr show | awk '{ split($4, a, "/"); print a[1] }' | grep -Fxq "$SERVICE_ADDRESS"; then
  echo "$NAME: this VM does not hold the service address $SERVICE_ADDRESS: nothing to do here (the Promoted storage VM does it)" >&2
  exit ${NOT_PROMOTED_EXIT}
fi

${reads}

${mcThrowawayConfig({ alias: "local", access: "local_access", secret: "local_secret", hostPort: "LOCAL_HOST_PORT", address: "SERVICE_ADDRESS" })}`;
  return { text };
}
