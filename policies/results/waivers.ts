import { Type } from "@sinclair/typebox";
import { InputError, type InputProblem } from "../../components/input/input-error";
import { readInputText } from "../../components/input/load-input";
import { schemaProblems } from "../../components/input/schema-problems";
import { parseYamlInput } from "../../components/input/yaml-input";
import type { Waiver } from "./types";

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Words, not a placeholder: at least three characters once leading and trailing blanks are left out. */
const IN_WORDS = "\\S[\\s\\S]+\\S";

// Other top-level keys are left alone, as they always were: the file may carry notes for its readers.
const WaiverFileSchema = Type.Object({ waivers: Type.Array(Type.Unknown({ description: "waivers" })) });
const WaiverSchema = Type.Object({
  requirement: Type.Optional(Type.String({ pattern: "^IBAC-[A-Z]+-\\d{3}$", description: "a requirement id such as IBAC-NET-003" })),
  policy: Type.Optional(Type.String({ pattern: "^[a-z][a-z0-9-]+$", description: "a policy name such as flows-match-intent" })),
  resource: Type.String({ pattern: "\\S", description: "a URN, a resource name or *" }),
  justification: Type.String({ pattern: IN_WORDS, description: "a justification in words" }),
  approver: Type.String({ pattern: IN_WORDS, description: "an approver in words" }),
  // YAML 1.2 reads 2027-02-28 as a string: a quoted or unquoted date is the same.
  expires: Type.String({ pattern: DATE.source, description: "a date YYYY-MM-DD" }),
}, { additionalProperties: false, description: "a waiver: requirement or policy, resource, justification, approver, expires" });
const FIELDS = Object.keys(WaiverSchema.properties);

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
  return parseWaivers(readInputText(file, shownFile, "waiver file"), shownFile);
}

export function parseWaivers(text: string, file: string): Waiver[] {
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
    if (problems.length > before || !record) return;
    const waiver = record as { requirement?: string; policy?: string; resource: string; justification: string; approver: string; expires: string };
    // The pattern lets 2027-02-31 through: the calendar does not.
    if (Number.isNaN(Date.parse(`${waiver.expires}T00:00:00Z`))) {
      problems.push(input.problem([...at, "expires"], `expected a date YYYY-MM-DD, found ${JSON.stringify(waiver.expires)}`));
      return;
    }
    waivers.push({
      target: String(waiver.requirement ?? waiver.policy),
      resource: waiver.resource,
      justification: waiver.justification,
      approver: waiver.approver,
      expires: waiver.expires,
    });
  });
  if (problems.length) throw new InputError(problems);
  return waivers;
}

/** Whether a waiver names this resource: its URN, its name (the URN's last `::` part), or `*`. */
export function waiverCoversResource(waiver: Waiver, urn: string | undefined): boolean {
  if (waiver.resource === "*") return true;
  if (!urn) return false;
  return waiver.resource === urn || urn.endsWith(`::${waiver.resource}`);
}
