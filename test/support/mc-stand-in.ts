// For tests: a stand-in for the MinIO client that records how a rendered mc script calls it. No mc binary is
// installed here (Debian 12 has none); this proves what the script does with mc (its arguments, its
// environment, its branches), not what mc and MinIO then do.
import * as fs from "node:fs";
import * as path from "node:path";

export interface McCall {
  args: string[];
  /** MC_HOST_local and MC_HOST_remote as mc would have found them. */
  hosts: { local?: string; remote?: string };
  /** Whether the --config-dir held the internal CA and no aliases file. */
  configDirOk: boolean;
  configDir: string;
}

/**
 * Writes an executable stand-in at `file`. It keeps replication rules like MinIO would, per bucket, under
 * `stateDir`: `replicate add` stores the rule's id, `replicate ls --json` prints it (or fails as mc does on a
 * bucket without replication configuration). Each call is appended to `stateDir/calls.jsonl`.
 */
export function writeMcStandIn(file: string, stateDir: string): void {
  fs.mkdirSync(stateDir, { recursive: true });
  const script = `#!/usr/bin/python3
import json, os, sys
state = ${JSON.stringify(stateDir)}
args = sys.argv[1:]
config = args[args.index("--config-dir") + 1] if "--config-dir" in args else ""
ok = bool(config) and os.path.isfile(os.path.join(config, "certs", "CAs", "ibac-ca.pem")) and not os.path.exists(os.path.join(config, "config.json"))
with open(os.path.join(state, "calls.jsonl"), "a") as log:
    log.write(json.dumps({"args": args, "hosts": {k: v for k, v in (("local", os.environ.get("MC_HOST_local")), ("remote", os.environ.get("MC_HOST_remote"))) if v is not None}, "configDirOk": ok, "configDir": config}) + "\\n")
# mc's global flags first (two of them take a value), then the command.
rest = list(args)
while rest and rest[0].startswith("--"):
    rest = rest[2:] if rest[0] in ("--config-dir", "--resolve") else rest[1:]
words = rest
def rules(bucket):
    return os.path.join(state, "rules-" + bucket.replace("/", "_"))
if words[:2] == ["replicate", "ls"]:
    target = words[2]
    if not os.path.exists(rules(target)):
        print("mc: <ERROR> Unable to get replication configuration: The replication configuration was not found", file=sys.stderr)
        sys.exit(1)
    with open(rules(target)) as f:
        for line in f:
            print(json.dumps({"op": "ls", "status": "success", "url": target, "rule": {"ID": line.strip(), "Status": "Enabled"}}))
elif words[:2] == ["replicate", "add"]:
    target = words[2]
    with open(rules(target), "a") as f:
        f.write(args[args.index("--id") + 1] + "\\n")
`;
  fs.writeFileSync(file, script, { mode: 0o755 });
}

export function readMcCalls(stateDir: string): McCall[] {
  const log = path.join(stateDir, "calls.jsonl");
  if (!fs.existsSync(log)) return [];
  return fs.readFileSync(log, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as McCall);
}

/** mc's own parse of `MC_HOST_<alias>` (its hostKeys / hostKeyTokens expressions): what mc would take the keys to be. */
export function mcParsesHost(value: string): { accessKey: string; secretKey: string; url: string } | { sessionToken: true } | undefined {
  if (/^(https?:\/\/)(.*?):(.*?):(.*)@(.*?)$/.test(value)) return { sessionToken: true };
  const m = /^(https?:\/\/)(.*?):(.*)@(.*?)$/.exec(value);
  return m ? { accessKey: m[2], secretKey: m[3], url: `${m[1]}${m[4]}` } : undefined;
}
