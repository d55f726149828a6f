// Fetching an operator's pinned executable into a VM: said once for MinIO's binaries and the application
// services' (the API's, FRS's). Pure text for bash scripts; the values are checked before they reach one.

/** An http(s) URL of a file, as the schema's artifact URLs (checked again: a caller may have built the spec by hand). */
const PINNED_URL = /^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?(\/[A-Za-z0-9._~%+-]+)+$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
/** The script's name in its messages: a plain word. */
const TAG = /^[a-z][a-z0-9-]{0,40}$/;

/** `url`, or an Error naming `where` and what was expected (the example is the caller's). */
export function checkPinnedUrl(url: string, where: string, example: string): string {
  if (!PINNED_URL.test(url)) throw new Error(`${where}: expected an http(s) URL of a file such as ${example}, found ${JSON.stringify(url)}`);
  return url;
}

export function checkSha256(sha256: string, where: string): string {
  if (!SHA256_HEX.test(sha256)) throw new Error(`${where}: expected 64 lower-case hex digits, found ${JSON.stringify(sha256)}`);
  return sha256;
}

/** The bash function `fail MESSAGE`: the message on stderr under the script's name, exit 1. */
export function renderFailFunction(tag: string): string {
  if (!TAG.test(tag)) throw new Error(`renderFailFunction: tag: expected a script name such as ibac-minio-install, found ${JSON.stringify(tag)}`);
  return `fail() {
  echo "${tag}: $*" >&2
  exit 1
}
`;
}

/**
 * The bash functions `fail`, `digest_of` and `install_pinned WHAT URL SHA256 TARGET FIELD`: the file at URL
 * replaces TARGET (root-owned 0755, renamed in place: a running program keeps the old file) only if its SHA-256
 * is the pinned one. On a mismatch, or a failed download, the script exits 1 and TARGET is untouched. A TARGET
 * that already has the digest is kept and nothing is downloaded (every deployment runs the script).
 *
 * curl is held to the URL's scheme: an https URL gets TLS 1.2 or later and redirects to https only; an http URL,
 * which the spec allows for an internal mirror, relies on the digest alone, which is what makes any copy safe.
 */
export function renderPinnedDownloadFunctions(tag: string): string {
  return `${renderFailFunction(tag)}
digest_of() {
  sha256sum "$1" | cut -d' ' -f1
}

# fetch URL OUTPUT CURL-OPTIONS...: one download, with the options that hold curl to the URL's scheme.
fetch() {
  local url=$1 output=$2
  shift 2
  curl --fail --silent --show-error --location "$@" \\
    --retry 3 --connect-timeout 20 --max-time 900 --output "$output" -- "$url"
}

# install_pinned WHAT URL SHA256 TARGET FIELD: the file at URL, kept only if its SHA-256 is the pinned one.
install_pinned() {
  local what=$1 url=$2 sha256=$3 target=$4 field=$5
  install -d -m 0755 "$(dirname "$target")"
  if [ -x "$target" ] && [ "$(digest_of "$target")" = "$sha256" ]; then
    echo "${tag}: $target is already the pinned $what"
    return
  fi
  download=$(mktemp "$target.download.XXXXXX")
  trap 'rm -f "$download"' EXIT
  case "$url" in
    https://*) fetch "$url" "$download" --proto =https --proto-redir =https --tlsv1.2 ;;
    *) fetch "$url" "$download" --proto =http --proto-redir =http ;;
  esac || fail "could not download $what from $url"
  actual=$(digest_of "$download")
  if [ "$actual" != "$sha256" ]; then
    fail "refusing the binary from $url: its SHA-256 is $actual, the spec pins $sha256 ($field); nothing was installed"
  fi
  chmod 0755 "$download"
  chown 0:0 "$download"
  mv -f "$download" "$target"
  trap - EXIT
  echo "${tag}: installed $what at $target"
}
`;
}
