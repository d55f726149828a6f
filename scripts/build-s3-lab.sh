#!/usr/bin/env bash
# Builds, once, a Debian 13 (trixie) chroot holding a real S3 client and a real S3 server for the FRS archive
# test (test/integration/frs-archive.test.ts): trixie's minio-client (the MinIO client, installed as /usr/bin/minio-client)
# and python3-moto, whose server enforces bucket versioning (npm's s3rver does not; no MinIO server exists in
# Debian or npm). moto_server imports flask_cors, which python3-moto does not depend on: python3-flask-cors is
# named here, with Flask and Werkzeug (the server itself) for clarity.
# Cached under out/s3-lab; prints the chroot's path. Needs root and mmdebstrap.
set -euo pipefail
cd "$(dirname "$0")/.."
dest="$PWD/out/s3-lab"
if [ -f "$dest/.complete" ]; then echo "$dest"; exit 0; fi
if ! command -v mmdebstrap >/dev/null; then
  echo '"mmdebstrap" is not installed: apt-get install -y --no-install-recommends mmdebstrap' >&2
  exit 2
fi
mkdir -p out
work="$(mktemp -d "$PWD/out/.s3-lab.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mmdebstrap --quiet --variant=apt --include=minio-client,python3-moto,python3-flask,python3-flask-cors,python3-werkzeug trixie "$work/root" >&2
touch "$work/root/.complete"
# Another run may have finished first: keep whichever complete chroot is there.
if ! mv -T "$work/root" "$dest" 2>/dev/null && [ ! -f "$dest/.complete" ]; then
  echo "could not put the chroot at $dest" >&2
  exit 1
fi
echo "$dest"
