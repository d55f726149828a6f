// Loads the requirement catalogue (requirements.yaml beside this file): YAML parsed with positions, checked by
// one JSON Schema (TypeBox + ajv, as the platform spec is) and by the checks a schema cannot express (unique
// ids, what each kind of check must carry). Every problem is reported at once, as CatalogueError.
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { type ErrorObject } from "ajv";
import { Type, type TObject, type TProperties, type ObjectOptions, type TUnsafe } from "@sinclair/typebox";
import { LineCounter, parseDocument } from "yaml";
import { describeFound, describeSchema } from "../../components/spec/load";
import { pointerToPath, positionOf } from "../../components/spec/yaml-position";
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

const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false });
const validateCatalogue = ajv.compile(CatalogueSchema);

/** A path into the catalogue: keys and array indexes, e.g. ["requirements", 3, "check", "policies"]. */
export type CataloguePath = (string | number)[];

/** One problem with a catalogue file. */
export interface CatalogueProblem {
  file: string;
  /** The field, e.g. `requirements[3].severity`; empty for the file as a whole. */
  path: string;
  /** What is wrong, e.g. `expected one of "low", ..., found "severe"`. */
  detail: string;
  /** 1-based line and column in the file, when known. */
  position?: { line: number; column: number };
}

export function formatCatalogueProblem(p: CatalogueProblem): string {
  return p.path ? `${p.file}: ${p.path}: ${p.detail}` : `${p.file}: ${p.detail}`;
}

/**
 * A catalogue that cannot be used: a mistake in the data, not a bug. `message` has one line per problem;
 * a command prints it (or `describe()`, with positions) without a stack trace.
 */
export class CatalogueError extends Error {
  readonly problems: CatalogueProblem[];

  constructor(problems: CatalogueProblem[]) {
    super(problems.map(formatCatalogueProblem).join("\n"));
    this.name = "CatalogueError";
    this.problems = problems;
  }

  /** The message with each problem's line and column, for a terminal. */
  describe(): string {
    return this.problems
      .map((p) => formatCatalogueProblem(p) + (p.position ? `\n    at line ${p.position.line}, column ${p.position.column}` : ""))
      .join("\n");
  }
}

/** `requirements[3].check.policies` for ["requirements", 3, "check", "policies"]. */
export function formatCataloguePath(fieldPath: CataloguePath): string {
  return fieldPath.reduce<string>((out, part) => (typeof part === "number" ? `${out}[${part}]` : out ? `${out}.${part}` : part), "");
}

/**
 * requirements.yaml beside this module; from the compiled CLI (dist/policies/catalogue/, where the build
 * copies no data files) the one in the source tree.
 */
export function defaultCataloguePath(): string {
  const beside = path.join(__dirname, "requirements.yaml");
  if (fs.existsSync(beside)) return beside;
  const inSources = path.resolve(__dirname, "../../../policies/catalogue/requirements.yaml");
  return fs.existsSync(inSources) ? inSources : beside;
}

/** Reads and checks a catalogue file; throws CatalogueError (never anything else) for a bad one. */
export function loadCatalogue(file: string = defaultCataloguePath(), displayName: string = displayPath(file)): RequirementCatalogue {
  let source: string;
  try {
    source = fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CatalogueError([{ file: displayName, path: "", detail: code === "ENOENT" ? "no such catalogue file" : `cannot be read (${code})` }]);
  }
  return parseCatalogue(source, displayName);
}

/** Checks the text of a catalogue. Pure: `file` only names it in messages. */
export function parseCatalogue(source: string, file: string): RequirementCatalogue {
  if (source.trim() === "") {
    throw new CatalogueError([{ file, path: "", detail: "the file is empty; expected a catalogue with version, requirements and outOfScope" }]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length) {
    // The first syntax error only: the parser's later ones are nearly always consequences of it.
    const e = doc.errors[0];
    const { line, col: column } = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
    const message = e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    throw new CatalogueError([{ file, path: "", detail: `YAML syntax error at line ${line}, column ${column}: ${message}`, position: { line, column } }]);
  }

  const problem = (fieldPath: CataloguePath, detail: string, atKey = false): CatalogueProblem => {
    const position = positionOf(doc, lineCounter, fieldPath, atKey);
    return { file, path: formatCataloguePath(fieldPath), detail, ...(position ? { position } : {}) };
  };

  const data: unknown = doc.toJS();
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new CatalogueError([problem([], `expected a mapping with version, requirements and outOfScope, found ${describeFound(data)}`)]);
  }
  if (!validateCatalogue(data)) {
    throw new CatalogueError(schemaProblems(validateCatalogue.errors ?? [], problem));
  }
  const catalogue = data as unknown as RawCatalogue;
  const problems = semanticProblems(catalogue, problem);
  if (problems.length) throw new CatalogueError(problems);
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

type MakeProblem = (fieldPath: CataloguePath, detail: string, atKey?: boolean) => CatalogueProblem;

/** What each kind of check must and must not carry, and ids unique over both lists. */
function semanticProblems(c: RawCatalogue, problem: MakeProblem): CatalogueProblem[] {
  const problems: CatalogueProblem[] = [];
  const needs: Record<string, { key: "policies" | "evidence" | "reason"; allowed: string[] }> = {
    automated: { key: "policies", allowed: ["policies"] },
    manual: { key: "evidence", allowed: ["evidence"] },
    "not-implemented": { key: "reason", allowed: ["reason", "evidence"] },
  };
  c.requirements.forEach((r, i) => {
    const at: CataloguePath = ["requirements", i, "check"];
    const { key, allowed } = needs[r.check.kind];
    if (key === "policies") {
      if (!r.check.policies?.length) {
        problems.push(problem([...at, "policies"], `expected at least one policy name for an automated check, found ${describeFound(r.check.policies)}`));
      }
    } else if (r.check[key] === undefined) {
      problems.push(problem([...at, key], `expected a non-empty string (a ${r.check.kind} check needs its ${key}), found nothing`));
    }
    for (const other of ["policies", "evidence", "reason"] as const) {
      if (r.check[other] !== undefined && !allowed.includes(other)) {
        problems.push(problem([...at, other], `not allowed in a ${r.check.kind} check; expected ${allowed.join(" or ")}`, true));
      }
    }
  });

  const seen = new Map<string, CataloguePath>();
  const lists = [["requirements", c.requirements], ["outOfScope", c.outOfScope]] as const;
  for (const [list, entries] of lists) {
    entries.forEach((entry, i) => {
      const here: CataloguePath = [list, i, "id"];
      const first = seen.get(entry.id);
      if (!first) {
        seen.set(entry.id, here);
      } else if (first[0] === list) {
        problems.push(problem(here, `duplicate id "${entry.id}" (also ${formatCataloguePath(first)})`));
      } else {
        problems.push(problem(here, `"${entry.id}" is also a requirement (${formatCataloguePath(first)}); an id is either a requirement or out of scope`));
      }
    });
  }
  return problems;
}

/** ajv's errors in the words of the spec loader: field path, expected, found; one problem per field. */
function schemaProblems(errors: ErrorObject[], problem: MakeProblem): CatalogueProblem[] {
  const byPath = new Map<string, CatalogueProblem>();
  for (const e of errors) {
    let fieldPath = pointerToPath(e.instancePath);
    let detail: string;
    let atKey = false;
    if (e.keyword === "additionalProperties") {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: Record<string, unknown> }).properties ?? {});
      fieldPath = [...fieldPath, key];
      detail = `unknown key; expected one of ${known.join(", ")}`;
      atKey = true;
    } else if (e.keyword === "required") {
      const key = String((e.params as { missingProperty: string }).missingProperty);
      const schema = (e.parentSchema as { properties?: Record<string, Parameters<typeof describeSchema>[0]> }).properties?.[key] ?? {};
      fieldPath = [...fieldPath, key];
      detail = `expected ${describeSchema(schema, true)}, found nothing`;
    } else {
      detail = `expected ${describeSchema(e.parentSchema as Parameters<typeof describeSchema>[0])}, found ${describeFound(e.data)}`;
    }
    const made = problem(fieldPath, detail, atKey);
    if (!byPath.has(made.path)) byPath.set(made.path, made);
  }
  return [...byPath.values()];
}


function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}
