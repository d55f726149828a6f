import { UnsafeStateError } from "../engine/errors";

/** One row of HAProxy's `show stat`, the fields lb-status reads, each checked against what it can be. */
export interface StatRow {
  proxy: string;
  server: string;
  /** UP, DOWN, NOLB, MAINT, DRAIN, OPEN, `UP 1/3` (going down), `no check` ... */
  status: string;
  /** The last check's result (L7OK, L4CON, L6RSP ...), empty where nothing is checked. */
  checkStatus: string;
  /** Seconds since the last change of status, when HAProxy reports it. */
  lastChangeS?: number;
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const STATUS = /^[A-Z]{2,8}( [0-9]{1,2}\/[0-9]{1,2}| check| \(via [A-Za-z0-9_./-]{1,130}\))?$|^no check$/;
const CHECK_STATUS = /^(\* ?)?[A-Z0-9]{0,12}$/;

function refuse(where: string, expected: string, value: string): never {
  throw new UnsafeStateError(`${where}: expected ${expected}, found ${JSON.stringify(value.slice(0, 80))}`);
}

/**
 * The rows of `show stat` (CSV, a `# pxname,svname,...` header). A value from the host is as hostile as any
 * input (it is printed to the operator's terminal): one that is not what the field can be stops the reading.
 */
export function parseShowStat(text: string, where: string): StatRow[] {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const header = lines[0]?.startsWith("# ") ? lines[0].slice(2).split(",") : undefined;
  if (!header) refuse(where, "show stat's CSV header (# pxname,svname,...)", lines[0] ?? "");
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) refuse(where, `a "${name}" column in show stat's header`, lines[0]);
    return i;
  };
  const [px, sv, status, check, lastchg] = ["pxname", "svname", "status", "check_status", "lastchg"].map(col);
  return lines.slice(1).map((line, n) => {
    const f = line.split(",");
    const at = `${where}, row ${n + 1}`;
    if (!NAME.test(f[px] ?? "")) refuse(at, "a proxy name", f[px] ?? "");
    if (!NAME.test(f[sv] ?? "")) refuse(at, "a server name", f[sv] ?? "");
    if (!STATUS.test(f[status] ?? "")) refuse(at, "a status such as UP, DOWN or MAINT", f[status] ?? "");
    if (!CHECK_STATUS.test(f[check] ?? "")) refuse(at, "a check status such as L7OK", f[check] ?? "");
    const last = f[lastchg] ?? "";
    if (!/^[0-9]{0,10}$/.test(last)) refuse(at, "seconds since the last change", last);
    return { proxy: f[px], server: f[sv], status: f[status], checkStatus: f[check], ...(last !== "" ? { lastChangeS: Number(last) } : {}) };
  });
}

/** Whether `ip -o -4 addr show dev IF` lists `address` (any prefix). */
export function holdsAddress(ipOutput: string, address: string): boolean {
  return ipOutput.split("\n").some((line) => line.split(/\s+/).some((word, i, words) => words[i - 1] === "inet" && word.split("/")[0] === address));
}
