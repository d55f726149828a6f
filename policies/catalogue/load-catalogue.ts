// Loads the requirement catalogue (requirements.yaml beside this file) with the one input loader: its schema
// here, and the checks a schema cannot express (unique ids, what each kind of check must carry). Every
// problem is reported at once, as an InputError.
import * as fs from "node:fs";
import * as path from "node:path";
import { Type, type TObject, type TProperties, type ObjectOptions, type TUnsafe } from "@sinclair/typebox";
import { describeFound } from "../../components/input/describe";
import { formatFieldPath, type FieldPath, type InputProblem } from "../../components/input/input-error";
import { loadInput, readInputText } from "../../components/input/load-input";
import type { YamlInput } from "../../components/input/yaml-input";
import type { RequirementCatalogue } from "./types";

/** `IBAC-<AREA>-<NNN>`: an area of 2-4 capital letters and a three-digit number. */
export const REQUIREMENT_ID_PATTERN = /^IBAC-[A-Z]{2,4}-[0-9]{3}$/;
/** Policy names are kebab-case, as the pack declares them. */
export const POLICY_NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** The catalogue format this loader reads. */
export const CATALOGUE_VERSION = 1;

function closed<T extends TProperties>(properties: T, options: ObjectOptions = {}): TObject<T> {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

function oneOf<const T extends readonly (string | number)[]>(values: T): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ enum: [...values] });
}

const text = Type.String({ minLength: 1 });
const RequirementIdSchema = Type.String({
  pattern: REQUIREMENT_ID_PATTERN.source,
  description: "an id IBAC-<AREA>-<NNN> such as IBAC-NET-003",
});
const SourceSchema = closed({
  document: Type.String({ minLength: 1, description: "a file name of shared/seeds such as 000_b7bd0876216dc30f.txt" }),
  section: Type.String({ minLength: 1, description: "the section as the document names it" }),
});
const sources = Type.Array(SourceSchema, { minItems: 1 });
/**
 * One shape for the three kinds of check: which keys each kind needs is checked after the schema, so that
 * a mistake gets one message naming the key rather than one per branch of a union.
 */
const CheckSchema = closed({
  kind: oneOf(["automated", "manual", "not-implemented"] as const),
  policies: Type.Optional(Type.Array(Type.String({ pattern: POLICY_NAME_PATTERN.source, description: "a kebab-case policy name such as tier-redundancy" }), { uniqueItems: true })),
  evidence: Type.Optional(text),
  reason: Type.Optional(text),
});
const RequirementSchema = closed({
  id: RequirementIdSchema,
  title: text,
  source: sources,
  text,
  severity: oneOf(["low", "medium", "high", "critical"] as const),
  enforcement: oneOf(["mandatory", "advisory"] as const),
  check: CheckSchema,
});
const OutOfScopeSchema = closed({ id: RequirementIdSchema, title: text, source: sources, text, reason: text });
export const CatalogueSchema = closed({
  version: oneOf([CATALOGUE_VERSION] as const),
  requirements: Type.Array(RequirementSchema, { minItems: 1 }),
  outOfScope: Type.Array(OutOfScopeSchema),
});

/** A bad catalogue is an input error like any other file's; the name stays for its callers. */

/**
 * requirements.yaml beside this module; from the compiled CLI (dist/policies/catalogue/, where the build
 * copies no data files) the one in the source tree.
 */
export function defaultFieldPath(): string {
  const beside = path.join(__dirname, "requirements.yaml");
  if (fs.existsSync(beside)) return beside;
  const inSources = path.resolve(__dirname, "../../../policies/catalogue/requirements.yaml");
  return fs.existsSync(inSources) ? inSources : beside;
}

/** Reads and checks a catalogue file; throws InputError (never anything else) for a bad one. */
export function loadCatalogue(file: string = defaultFieldPath(), displayName: string = displayPath(file)): RequirementCatalogue {
  return parseCatalogue(readInputText(file, displayName, "catalogue file"), displayName);
}

/** Checks the text of a catalogue. Pure: `file` only names it in messages. */
export function parseCatalogue(source: string, file: string): RequirementCatalogue {
  const catalogue = loadInput({
    file,
    text: source,
    schema: CatalogueSchema,
    expected: "a catalogue with version, requirements and outOfScope",
    checks: (data, input) => semanticProblems(data as unknown as RawCatalogue, input.problem),
  });
  return catalogue as unknown as RequirementCatalogue;
}

/** How many requirements of each kind a catalogue has, for reports and the README. */
export function catalogueCounts(c: RequirementCatalogue): {
  requirements: number;
  automated: number;
  manual: number;
  notImplemented: number;
  outOfScope: number;
} {
  const of = (kind: string) => c.requirements.filter((r) => r.check.kind === kind).length;
  return {
    requirements: c.requirements.length,
    automated: of("automated"),
    manual: of("manual"),
    notImplemented: of("not-implemented"),
    outOfScope: c.outOfScope.length,
  };
}

/** The catalogue as the schema has checked it: every check key optional until the semantic checks. */
interface RawCatalogue {
  requirements: { id: string; check: { kind: string; policies?: string[]; evidence?: string; reason?: string } }[];
  outOfScope: { id: string }[];
}

type MakeProblem = YamlInput["problem"];

/** What each kind of check must and must not carry, and ids unique over both lists. */
function semanticProblems(c: RawCatalogue, problem: MakeProblem): InputProblem[] {
  const problems: InputProblem[] = [];
  const needs: Record<string, { key: "policies" | "evidence" | "reason"; allowed: string[] }> = {
    automated: { key: "policies", allowed: ["policies"] },
    manual: { key: "evidence", allowed: ["evidence"] },
    "not-implemented": { key: "reason", allowed: ["reason", "evidence", "policies"] },
  };
  c.requirements.forEach((r, i) => {
    const at: FieldPath = ["requirements", i, "check"];
    const { key, allowed } = needs[r.check.kind];
    if (key === "policies") {
      if (!r.check.policies?.length) {
        problems.push(problem([...at, "policies"], `expected at least one policy name for an automated check, found ${describeFound(r.check.policies)}`));
      }
    } else if (r.check[key] === undefined) {
      problems.push(problem([...at, key], `expected a non-empty string (a ${r.check.kind} check needs its ${key}), found nothing`));
    }
    if (r.check.kind === "not-implemented" && r.check.policies !== undefined && r.check.policies.length === 0) {
      problems.push(problem([...at, "policies"], "expected at least one policy name (the policies judging the part already built) or no policies key, found an empty list"));
    }
    for (const other of ["policies", "evidence", "reason"] as const) {
      if (r.check[other] !== undefined && !allowed.includes(other)) {
        problems.push(problem([...at, other], `not allowed in a ${r.check.kind} check; expected ${allowed.join(" or ")}`, true));
      }
    }
  });

  const seen = new Map<string, FieldPath>();
  const lists = [["requirements", c.requirements], ["outOfScope", c.outOfScope]] as const;
  for (const [list, entries] of lists) {
    entries.forEach((entry, i) => {
      const here: FieldPath = [list, i, "id"];
      const first = seen.get(entry.id);
      if (!first) {
        seen.set(entry.id, here);
      } else if (first[0] === list) {
        problems.push(problem(here, `duplicate id "${entry.id}" (also ${formatFieldPath(first)})`));
      } else {
        problems.push(problem(here, `"${entry.id}" is also a requirement (${formatFieldPath(first)}); an id is either a requirement or out of scope`));
      }
    });
  }
  return problems;
}

function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}
