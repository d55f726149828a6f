import * as fs from "node:fs";
import * as os from "node:os";
import { spawnSync } from "node:child_process";

/** Who runs a runbook, and how that was found out. */
export interface Operator {
  name: string;
  /** loginuid: the kernel's audit login UID; logname: the login record of the terminal; tty: its owner; process: the effective user. */
  from: "loginuid" | "logname" | "tty" | "process";
}

/** The name of a UID from the passwd database (getent), or the number when it has none. */
function userName(uid: number): string {
  const r = spawnSync("getent", ["passwd", String(uid)], { encoding: "utf8" });
  const name = r.status === 0 ? r.stdout.split(":")[0] : "";
  return name || `uid ${uid}`;
}

const UNSET = 4294967295;

/**
 * The person behind the session, from what survives sudo and su and cannot be set by the caller: the
 * login UID the kernel recorded at login (/proc/self/loginuid, set by pam_loginuid), else the login name
 * of the controlling terminal (`logname`), else the terminal's owner, else the process's own user. Never
 * $USER or $SUDO_USER, which anyone can set.
 */
export function loginOperator(sources: { loginuid?: () => string; logname?: () => string; ttyOwner?: () => number | undefined } = {}): Operator {
  const readLoginuid = sources.loginuid ?? ((): string => fs.readFileSync("/proc/self/loginuid", "utf8"));
  try {
    const uid = Number(readLoginuid().trim());
    if (Number.isInteger(uid) && uid >= 0 && uid !== UNSET) return { name: userName(uid), from: "loginuid" };
  } catch {
    // no audit login UID on this system
  }
  const logname = (sources.logname ?? ((): string => {
    const r = spawnSync("logname", [], { encoding: "utf8" });
    return r.status === 0 ? r.stdout.trim() : "";
  }))();
  if (/^[a-z_][a-z0-9_.-]*\$?$/i.test(logname)) return { name: logname, from: "logname" };
  const tty = (sources.ttyOwner ?? ((): number | undefined => {
    for (const fd of [0, 1, 2]) {
      try {
        const target = fs.readlinkSync(`/proc/self/fd/${fd}`);
        if (/^\/dev\/(pts\/\d+|tty\w*)$/.test(target)) return fs.statSync(target).uid;
      } catch {
        // not a terminal
      }
    }
    return undefined;
  }))();
  if (tty !== undefined) return { name: userName(tty), from: "tty" };
  return { name: os.userInfo().username, from: "process" };
}
