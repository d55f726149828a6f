import * as fs from "node:fs";
import { isMap, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import { SpecError, type SpecProblem } from "../../components/spec/errors";
import type { Waiver } from "./types";

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const FIELDS = ["requirement", "policy", "resource", "justification", "approver", "expires"] as const;

/**
 * Reads a waiver file:
 *
 * ```yaml
 * waivers:
 *   - requirement: IBAC-VER-001        # or policy: supported-versions
 *     resource: urn:pulumi:lab::ibac-platform::ibac:platform:IbacPlatform::ibac   # or a resource name, or "*"
 *     justification: the lab exercises the VE 8 HA-group path
 *     approver: J. Tamm (security officer)
 *     expires: 2027-02-28
 * ```
 *
 * Every problem is reported at once (file, field path, line and column, expected, found); a malformed file
 * is an error, never an empty list.
 */
export function loadWaivers(file: string, shownFile = file): Waiver[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new SpecError([{ file: shownFile, path: "", detail: `cannot read the waiver file: ${(e as NodeJS.ErrnoException).code ?? String(e)}` }]);
  }
  return parseWaivers(text, shownFile);
}

export function parseWaivers(text: string, file: string): Waiver[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (node: Node | null | undefined): Pick<SpecProblem, "position"> => {
    const offset = node?.range?.[0];
    if (offset === undefined) return {};
    const { line, col } = lines.linePos(offset);
    return { position: { line, column: col } };
  };
  if (doc.errors.length) {
    throw new SpecError(doc.errors.map((e) => ({ file, path: "", detail: `YAML syntax error: ${e.message.split("\n")[0]}`, position: { line: e.linePos?.[0].line ?? 0, column: e.linePos?.[0].col ?? 0 } })));
  }
  const root = doc.contents;
  const list = isMap(root) ? root.get("waivers", true) : undefined;
  if (!isMap(root) || !isSeq(list)) {
    throw new SpecError([{ file, path: "waivers", detail: `expected a list of waivers under "waivers:", found ${root === null ? "an empty file" : isMap(root) ? "no waivers list" : "something else"}`, ...at(root) }]);
  }
  const problems: SpecProblem[] = [];
  const waivers: Waiver[] = [];
  list.items.forEach((item, i) => {
    const path = `waivers[${i}]`;
    if (!isMap(item)) {
      problems.push({ file, path, detail: "expected a map with requirement or policy, resource, justification, approver, expires", ...at(item as Node) });
      return;
    }
    const before = problems.length;
    const value = (key: string): unknown => item.get(key);
    const node = (key: string): Node | undefined => (item.get(key, true) as Node | undefined) ?? (item as Node);
    for (const pair of item.items) {
      const key = String((pair.key as { value?: unknown } | null)?.value ?? pair.key);
      if (!(FIELDS as readonly string[]).includes(key)) problems.push({ file, path: `${path}.${key}`, detail: `unknown field; expected one of ${FIELDS.join(", ")}`, ...at(pair.key as Node) });
    }
    const requirement = value("requirement");
    const policy = value("policy");
    if ((requirement === undefined) === (policy === undefined)) {
      problems.push({ file, path, detail: "expected exactly one of requirement (an id such as IBAC-NET-003) or policy (a policy name)", ...at(item) });
    }
    if (requirement !== undefined && !(typeof requirement === "string" && /^IBAC-[A-Z]+-\d{3}$/.test(requirement))) {
      problems.push({ file, path: `${path}.requirement`, detail: `expected a requirement id such as IBAC-NET-003, found ${JSON.stringify(requirement)}`, ...at(node("requirement")) });
    }
    if (policy !== undefined && !(typeof policy === "string" && /^[a-z][a-z0-9-]+$/.test(policy))) {
      problems.push({ file, path: `${path}.policy`, detail: `expected a policy name such as flows-match-intent, found ${JSON.stringify(policy)}`, ...at(node("policy")) });
    }
    for (const key of ["resource", "justification", "approver"] as const) {
      const v = value(key);
      if (typeof v !== "string" || v.trim().length < (key === "resource" ? 1 : 3)) {
        problems.push({ file, path: `${path}.${key}`, detail: `expected ${key === "resource" ? "a URN, a resource name or *" : `a ${key} in words`}, found ${JSON.stringify(v ?? null)}`, ...at(node(key)) });
      }
    }
    // YAML 1.2 reads 2027-02-28 as a string; a quoted or unquoted date is fine, anything else is not.
    const expires = value("expires");
    const expiresText = expires instanceof Date ? expires.toISOString().slice(0, 10) : expires;
    if (typeof expiresText !== "string" || !DATE.test(expiresText) || Number.isNaN(Date.parse(`${expiresText}T00:00:00Z`))) {
      problems.push({ file, path: `${path}.expires`, detail: `expected a date YYYY-MM-DD, found ${JSON.stringify(expires ?? null)}`, ...at(node("expires")) });
    }
    if (problems.length > before) return;
    waivers.push({
      target: String(requirement ?? policy),
      resource: String(value("resource")),
      justification: String(value("justification")),
      approver: String(value("approver")),
      expires: String(expiresText),
    });
  });
  if (problems.length) throw new SpecError(problems);
  return waivers;
}

/** Whether a waiver names this resource: its URN, its name (the URN's last `::` part), or `*`. */
export function waiverCoversResource(waiver: Waiver, urn: string | undefined): boolean {
  if (waiver.resource === "*") return true;
  if (!urn) return false;
  return waiver.resource === urn || urn.endsWith(`::${waiver.resource}`);
}
