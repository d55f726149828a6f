import { Type } from "@sinclair/typebox";
import { InputError, expectedFound, type InputProblem } from "../../components/input/input-error";
import { readInputText } from "../../components/input/load-input";
import { schemaProblems } from "../../components/input/schema-problems";
import { parseYamlInput } from "../../components/input/yaml-input";
import { unsafeTextProblems } from "../../components/input/text-safety";
import { closestWord } from "../../components/input/did-you-mean";
import type { Waiver } from "./types";

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A stack name as `stacks/Pulumi.<stack>.yaml` spells it, or `all`. */
const STACK = "^[A-Za-z0-9][A-Za-z0-9_.-]*$";

/** The word a waiver uses to cover every stack: it must be written out, no stack is the default. */
export const ALL_STACKS = "all";

/**
 * How long a waiver may run: its expiry at most this many months after its approval. An accepted risk is
 * reviewed at least once a year; a longer waiver is refused, not shortened.
 */
export const WAIVER_MAX_MONTHS = 12;

/** What the loader checks a waiver against besides its own fields. */
export interface WaiverRules {
  /**
   * Whether a requirement id or policy name is critical: a waiver for it must name its resources (a
   * wildcard `*` would hide every future violation of a critical requirement, not one accepted deviation).
   */
  isCritical?: (target: string) => boolean;
  /** The requirement ids of the catalogue and the policy names of the pack; unchecked when absent. */
  requirements?: readonly string[];
  policies?: readonly string[];
  /** The stacks a waiver may name (besides `all`); unchecked when absent. */
  stacks?: readonly string[];
  /** Default WAIVER_MAX_MONTHS. */
  maxMonths?: number;
  /**
   * Today (YYYY-MM-DD): a waiver approved after it is refused, since its year would start only then and an
   * approval dated ahead would stretch the bound. Unchecked when absent.
   */
  today?: string;
}

/** YYYY-MM-DD `months` later, the day clamped to the month's last (2026-08-31 + 6 = 2027-02-28). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split("-").map(Number);
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, last));
  return target.toISOString().slice(0, 10);
}

/** Whether YYYY-MM-DD is a day of the calendar (the pattern lets 2027-02-31 through). */
function isCalendarDay(date: string): boolean {
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date;
}
/** Words, not a placeholder: at least three characters once leading and trailing blanks are left out. */
const IN_WORDS = "\\S[\\s\\S]+\\S";

// Other top-level keys are left alone, as they always were: the file may carry notes for its readers.
const WaiverFileSchema = Type.Object({ waivers: Type.Array(Type.Unknown({ description: "waivers" })) });
const WaiverSchema = Type.Object({
  requirement: Type.Optional(Type.String({ pattern: "^IBAC-[A-Z]+-\\d{3}$", description: "a requirement id such as IBAC-NET-003" })),
  policy: Type.Optional(Type.String({ pattern: "^[a-z][a-z0-9-]+$", description: "a policy name such as flows-match-intent" })),
  stack: Type.String({ pattern: STACK, description: "a stack name such as prod, or all" }),
  resource: Type.String({ pattern: "\\S", description: "a URN, a resource name or *" }),
  justification: Type.String({ pattern: IN_WORDS, description: "a justification in words" }),
  approver: Type.String({ pattern: IN_WORDS, description: "an approver in words" }),
  approved: Type.String({ pattern: DATE.source, description: "a date YYYY-MM-DD" }),
  // YAML 1.2 reads 2027-02-28 as a string: a quoted or unquoted date is the same.
  expires: Type.String({ pattern: DATE.source, description: "a date YYYY-MM-DD" }),
}, { additionalProperties: false, description: "a waiver: requirement or policy, stack, resource, justification, approver, approved, expires" });
const FIELDS = Object.keys(WaiverSchema.properties);

/**
 * Reads a waiver file:
 *
 * ```yaml
 * waivers:
 *   - requirement: IBAC-VER-001        # or policy: supported-versions
 *     stack: lab                         # or all (written out: no stack is the default)
 *     resource: urn:pulumi:lab::ibac-platform::ibac:platform:IbacPlatform::ibac   # or a resource name, or "*"
 *     justification: the lab exercises the VE 8 HA-group path
 *     approver: J. Tamm (security officer)
 *     approved: 2026-09-01
 *     expires: 2027-02-28              # at most WAIVER_MAX_MONTHS after approved
 * ```
 *
 * Every problem is reported at once (file, field path, line and column, expected, found); a malformed file
 * is an error, never an empty list. `rules` bound what a waiver may cover: a critical requirement only for
 * named resources, a known stack or `all`, an expiry at most a year after the approval.
 */
export function loadWaivers(file: string, shownFile = file, rules: WaiverRules = {}): Waiver[] {
  return parseWaivers(readInputText(file, shownFile, "waiver file"), shownFile, rules);
}

export function parseWaivers(text: string, file: string, rules: WaiverRules = {}): Waiver[] {
  const maxMonths = rules.maxMonths ?? WAIVER_MAX_MONTHS;
  const input = parseYamlInput(text, file, { expected: 'a list of waivers under "waivers:"' });
  const fileProblems = schemaProblems(input, WaiverFileSchema, input.data);
  if (fileProblems.length) throw new InputError(fileProblems);
  const { waivers: items } = input.data as { waivers: unknown[] };

  // Item by item, so that every item's problems are reported together and in the order of its fields.
  const problems: InputProblem[] = [];
  const waivers: Waiver[] = [];
  items.forEach((item, i) => {
    const at = ["waivers", i];
    const before = problems.length;
    const record = typeof item === "object" && item !== null && !Array.isArray(item) ? (item as Record<string, unknown>) : undefined;
    if (record && ("requirement" in record) === ("policy" in record)) {
      problems.push(input.problem(at, "expected exactly one of requirement (an id such as IBAC-NET-003) or policy (a policy name)"));
    }
    // In the order of the fields as the file format lists them (ajv reports missing ones first).
    const fieldOf = (p: InputProblem): number => FIELDS.indexOf(p.path.slice(`waivers[${i}].`.length).split(/[.[]/)[0]);
    problems.push(...schemaProblems(input, WaiverSchema, item, at).sort((a, b) => fieldOf(a) - fieldOf(b)));
    // Justifications and approvers reach the terminal, the report and SARIF: one line of printable text each.
    problems.push(...unsafeTextProblems(item, at).map((u) => input.problem(u.path, u.detail)));
    if (problems.length > before || !record) return;
    const waiver = record as { requirement?: string; policy?: string; stack: string; resource: string; justification: string; approver: string; approved: string; expires: string };
    const target = String(waiver.requirement ?? waiver.policy);
    // A waiver for a misspelt id would match nothing and hide nothing, but also accept nothing the approver meant.
    const known = waiver.requirement === undefined ? rules.policies : rules.requirements;
    if (known && !known.includes(target)) {
      const key = waiver.requirement === undefined ? "policy" : "requirement";
      problems.push(input.problem([...at, key], expectedFound(key === "policy" ? "a policy of the pack" : "a requirement id of the catalogue", JSON.stringify(target), closestWord(target, known))));
    }
    if (rules.stacks && waiver.stack !== ALL_STACKS && !rules.stacks.includes(waiver.stack)) {
      const known = [ALL_STACKS, ...rules.stacks];
      problems.push(input.problem([...at, "stack"], expectedFound(`a stack of stacks/ (${known.join(", ")})`, JSON.stringify(waiver.stack), closestWord(waiver.stack, known))));
    }
    if (waiver.resource.trim() === "*" && rules.isCritical?.(target)) {
      problems.push(input.problem([...at, "resource"], expectedFound(`the URN or name of a resource: ${target} is critical, a wildcard would waive every resource`, JSON.stringify(waiver.resource))));
    }
    const datesOk = (["approved", "expires"] as const).filter((key) => {
      if (isCalendarDay(waiver[key])) return true;
      problems.push(input.problem([...at, key], expectedFound("a date YYYY-MM-DD", JSON.stringify(waiver[key]))));
      return false;
    }).length === 2;
    if (datesOk) {
      const latest = addMonths(waiver.approved, maxMonths);
      if (rules.today !== undefined && waiver.approved > rules.today) {
        problems.push(input.problem([...at, "approved"], expectedFound(`a date on or before today (${rules.today})`, waiver.approved)));
      } else if (waiver.expires < waiver.approved) {
        problems.push(input.problem([...at, "expires"], expectedFound(`a date on or after approved (${waiver.approved})`, waiver.expires)));
      } else if (waiver.expires > latest) {
        problems.push(input.problem([...at, "expires"], expectedFound(`a date at most ${maxMonths} months after approved (${waiver.approved}), so ${latest} or earlier`, waiver.expires)));
      }
    }
    if (problems.length > before) return;
    waivers.push({
      target,
      stack: waiver.stack,
      resource: waiver.resource,
      justification: waiver.justification,
      approver: waiver.approver,
      approved: waiver.approved,
      expires: waiver.expires,
    });
  });
  if (problems.length) throw new InputError(problems);
  return waivers;
}

/** Whether a waiver is for this stack: it names it, or says `all`. */
export function waiverCoversStack(waiver: Waiver, stack: string): boolean {
  return waiver.stack === ALL_STACKS || waiver.stack === stack;
}

/** Whether a waiver names this resource: its URN, its name (the URN's last `::` part), or `*`. */
export function waiverCoversResource(waiver: Waiver, urn: string | undefined): boolean {
  if (waiver.resource === "*") return true;
  if (!urn) return false;
  return waiver.resource === urn || urn.endsWith(`::${waiver.resource}`);
}
