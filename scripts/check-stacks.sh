#!/usr/bin/env bash
# Runs `ibac check` on every stack in stacks/ with the shared waiver file; fails on any mandatory violation.
# Writes SARIF and JUnit beside the text output under out/check/ for CI to keep.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
mkdir -p out/check
for file in stacks/Pulumi.*.yaml; do
  stack="${file#stacks/Pulumi.}"
  stack="${stack%.yaml}"
  echo "== ibac check --stack ${stack}"
  if ! node bin/ibac.js check --stack "${stack}" --waivers stacks/waivers.yaml; then status=1; fi
  node bin/ibac.js check --stack "${stack}" --waivers stacks/waivers.yaml --format sarif --out "out/check/${stack}.sarif" >/dev/null || true
  node bin/ibac.js check --stack "${stack}" --waivers stacks/waivers.yaml --format junit --out "out/check/${stack}.junit.xml" >/dev/null || true
done
exit "${status}"
