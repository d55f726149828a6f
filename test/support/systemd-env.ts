// What systemd makes of an env file, read by systemd's own parser.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describeRun, requireTool, runTool } from "./require-tool";

const GENERATOR = "/usr/lib/systemd/user-environment-generators/30-systemd-environment-d-generator";

/**
 * The variables systemd reads from `text`, as the service would get them. The environment.d generator parses
 * its files with the same systemd code (parse_env_file) that reads a unit's EnvironmentFile=; it also expands
 * `$VAR`, which EnvironmentFile= does not, so renderers refuse `$` and the two readings agree. Only the keys the
 * file defines are returned (the generator also reads the machine's own environment.d). Throws when the
 * generator fails. No systemd PID 1 is needed.
 */
export function systemdReadsEnvFile(text: string): Record<string, string> {
  const generator = requireTool(GENERATOR, "systemd");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-env-file-"));
  try {
    fs.mkdirSync(path.join(dir, "environment.d"));
    fs.writeFileSync(path.join(dir, "environment.d", "99-service.conf"), text, { mode: 0o600 });
    const result = runTool(generator, [], { env: { XDG_CONFIG_HOME: dir, XDG_CONFIG_DIRS: path.join(dir, "none") } });
    if (result.status !== 0) throw new Error(describeRun(result));
    const keys = new Set(text.split("\n").map((l) => /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(l)?.[1]).filter((k): k is string => k !== undefined));
    const env: Record<string, string> = {};
    for (const line of result.stdout.split("\n")) {
      const eq = line.indexOf("=");
      const key = line.slice(0, eq);
      if (eq < 0 || !keys.has(key)) continue;
      const raw = line.slice(eq + 1);
      // The generator prints a value with spaces in double quotes.
      env[key] = raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
    }
    return env;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
