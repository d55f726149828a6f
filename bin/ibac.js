#!/usr/bin/env node
// Runs the compiled CLI (built by `npm ci` through the `prepare` script) when it is up to date with the
// TypeScript sources, and the sources themselves through tsx otherwise, so an edit is never run stale.
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const stamp = path.join(root, "dist", ".build-stamp");

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

function compiledIsFresh() {
  if (!fs.existsSync(stamp)) return false;
  const built = fs.statSync(stamp).mtimeMs;
  return ["cli", "components", "backup", "monitoring", "policies", "playbooks"]
    .map((d) => path.join(root, d))
    .filter((d) => fs.existsSync(d))
    .every((d) => newestSource(d) <= built);
}

if (compiledIsFresh()) {
  // No source-map support here: Pulumi takes a stack trace for every promise it makes, and mapping each
  // one through source maps would more than double the time of a plan.
  require(path.join(root, "dist", "cli", "main.js"));
} else {
  require("tsx/cjs");
  require("../cli/main.ts");
}
