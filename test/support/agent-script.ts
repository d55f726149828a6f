// Runs one of the agent's check scripts (monitoring/agent/scripts) as NRPE would: /bin/sh on the file, a
// clean environment, and the plugin line and exit status back. Programs that cannot run here (no DRBD kernel,
// no corosync, no charon, no systemd) are stand-ins on PATH that print a fixture; real ones run as they are.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AGENT_SCRIPT_TEXT } from "../../monitoring/agent/scripts";
import type { AgentScript } from "../../monitoring/paths";
import { runTool } from "./require-tool";

export interface ScriptRun {
  status: number | null;
  /** The plugin line (stdout without its newline). */
  line: string;
  stderr: string;
}

export interface StandIn {
  /** What the program prints on stdout. */
  stdout: string;
  status: number;
}

export interface ScriptBench {
  dir: string;
  /** Writes `name` into the bench's bin directory, answering every call with `answer`. */
  standIn(name: string, answer: StandIn): void;
  run(script: AgentScript, args: readonly string[], env?: Record<string, string>): ScriptRun;
  remove(): void;
}

/** NRPE's own PATH (nrpe 4.1 clean_environ) and the sbin directories sudo's secure_path adds. */
const SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export function scriptBench(prefix: string): ScriptBench {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ibac-${prefix}-`));
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  return {
    dir,
    standIn(name, answer) {
      const out = path.join(bin, `${name}.out`);
      fs.writeFileSync(out, answer.stdout);
      fs.writeFileSync(path.join(bin, name), `#!/bin/sh\ncat '${out}'\nexit ${answer.status}\n`, { mode: 0o755 });
    },
    run(script, args, env = {}) {
      const file = path.join(dir, script);
      fs.writeFileSync(file, AGENT_SCRIPT_TEXT[script], { mode: 0o755 });
      const r = runTool(file, args, { env: { PATH: `${bin}:${SYSTEM_PATH}`, LC_ALL: "C", ...env }, timeout: 20_000 });
      return { status: r.status, line: r.stdout.replace(/\n$/, ""), stderr: r.stderr };
    },
    remove() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
