import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeRun, requireTool, runTool } from "../../../test/support/require-tool";
import { PRODUCTION_LOCAL_SYSLOG } from "../../logging/local-syslog";
import { renderKeepalivedNotify } from "./render-keepalived-notify";

// The script runs with a stand-in `logger` first on PATH that records its arguments, one per line: what the
// script would hand to syslog. Unproven here: the real logger writing to /dev/log (util-linux's, unchanged).

let dir = "";
let script = "";
let recorded = "";

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibac-ka-notify-"));
  script = path.join(dir, "notify");
  recorded = path.join(dir, "logger.args");
  fs.writeFileSync(script, renderKeepalivedNotify({ target: path.join(dir, "log.sock") }), { mode: 0o755 });
  fs.mkdirSync(path.join(dir, "bin"));
  fs.writeFileSync(path.join(dir, "bin", "logger"), `#!/bin/bash\nprintf '%s\\n' "$@" > '${recorded}'\n`, { mode: 0o755 });
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function notify(args: string[]): { status: number | null; logged: string[] } {
  fs.rmSync(recorded, { force: true });
  const result = runTool(requireTool("bash", "bash"), [script, ...args], { env: { PATH: `${path.join(dir, "bin")}:/usr/bin:/bin` } });
  expect(result.stderr, describeRun(result)).toBe("");
  return { status: result.status, logged: fs.existsSync(recorded) ? fs.readFileSync(recorded, "utf8").trimEnd().split("\n") : [] };
}

describe("renderKeepalivedNotify", () => {
  it("passes shellcheck (production socket)", () => {
    const file = path.join(dir, "prod-notify");
    fs.writeFileSync(file, renderKeepalivedNotify(PRODUCTION_LOCAL_SYSLOG));
    const result = runTool(requireTool("shellcheck", "shellcheck"), ["--shell=bash", "--severity=style", file]);
    expect(result.status, describeRun(result)).toBe(0);
  });

  it("logs a transition with the instance, the new state and the priority, to the seam's socket", () => {
    const { status, logged } = notify(["INSTANCE", "ibac_loadBalancer", "MASTER", "200"]);
    expect(status).toBe(0);
    expect(logged).toEqual(["-u", path.join(dir, "log.sock"), "-t", "keepalived-notify", "-p", "daemon.notice", "--", "instance ibac_loadBalancer is now MASTER (priority 200)"]);
  });

  it.each(["BACKUP", "FAULT", "STOP"])("logs %s", (state) => {
    expect(notify(["INSTANCE", "ibac_databasePrimary", state, "199"]).logged.at(-1)).toBe(`instance ibac_databasePrimary is now ${state} (priority 199)`);
  });

  it.each([
    ["an unknown state", ["INSTANCE", "ibac_lb", "OWNER", "200"], "rejected a notification: the state is not MASTER, BACKUP, FAULT or STOP"],
    ["a name with a line break", ["INSTANCE", "ibac\nforged line", "MASTER", "200"], "rejected a notification: the name is not 1-64 letters, digits or _"],
    ["a name with an escape sequence", ["INSTANCE", "a\u001b[2J", "MASTER", "200"], "rejected a notification: the name is not 1-64 letters, digits or _"],
    ["a priority that is not a number", ["INSTANCE", "ibac_lb", "MASTER", "2; rm"], "rejected a notification: the priority is not a number of 1-3 digits"],
    ["an unknown type", ["PEER", "ibac_lb", "MASTER", "200"], "rejected a notification: the type is not INSTANCE or GROUP"],
    ["too few arguments", ["INSTANCE", "ibac_lb"], "rejected a notification: expected 4 arguments (type, name, state, priority), found 2"],
  ])("rejects %s with a fixed line and exit 2", (_what, args, line) => {
    const { status, logged } = notify(args);
    expect(status).toBe(2);
    expect(logged.slice(-3)).toEqual(["daemon.warning", "--", line]);
  });

  it("refuses a syslog target that is not a socket path", () => {
    expect(() => renderKeepalivedNotify({ target: "127.0.0.1:514" })).toThrow('keepalived\'s notify script logs to a syslog socket (an absolute path), found "127.0.0.1:514"');
  });
});
