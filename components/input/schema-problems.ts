// A JSON Schema's verdict in the words of every input file: field path, expected, found, did-you-mean.
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import type { TSchema } from "@sinclair/typebox";
import { closestWord } from "./did-you-mean";
import { closedSet, describeFound, describeSchema, type SchemaLike } from "./describe";
import { expectedFound, formatFieldPath, type FieldPath, type InputProblem } from "./input-error";
import { pointerToPath } from "./yaml-position";
import type { YamlInput } from "./yaml-input";

// Every error at once (a user fixes them in one go); verbose for the schema and data each message describes.
const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false });
const compiled = new WeakMap<TSchema, ValidateFunction>();

/** The schema's validator, compiled once per schema (the platform spec's takes a while). */
export function validatorOf<T>(schema: TSchema): ValidateFunction<T> {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate as ValidateFunction<T>;
}

/**
 * The problems of `data` (found at document path `at` of the input) against a schema: none when it is valid.
 * One problem per field; a misspelt key is reported once, as the unknown key with its suggestion, not again
 * as the missing key it was meant to be.
 */
export function schemaProblems(input: YamlInput, schema: TSchema, data: unknown, at: FieldPath = []): InputProblem[] {
  const validate = validatorOf(schema);
  if (validate(data)) return [];
  // A union of literals fails once per literal and once as a whole: only the whole says what was expected.
  const errors = (validate.errors ?? []).filter((e) => !(e.keyword === "const" && e.schemaPath.includes("/anyOf/")));
  const suggested = new Set(
    errors.flatMap((e) => {
      const unknown = unknownKey(e);
      return unknown?.suggestion === undefined ? [] : [formatFieldPath([...pointerToPath(e.instancePath), unknown.suggestion])];
    }),
  );
  const byPath = new Map<string, InputProblem>();
  for (const e of errors) {
    let fieldPath = pointerToPath(e.instancePath);
    let made: Parameters<YamlInput["problem"]>[1];
    let atKey = false;
    const unknown = unknownKey(e);
    if (unknown) {
      fieldPath = [...fieldPath, unknown.key];
      made = unknownKeyDetail(unknown.key, unknown.known);
      atKey = true;
    } else if (e.keyword === "uniqueItems") {
      // Point at the repeat itself, and say where the entry first stands.
      const { i, j } = e.params as { i: number; j: number };
      const [later, first] = [Math.max(i, j), Math.min(i, j)];
      const list = fieldPath;
      fieldPath = [...list, later];
      made = expectedFound("an entry not listed before", `${describeFound((e.data as unknown[])[later])} again (first at ${formatFieldPath([...list, first])})`);
    } else if (e.keyword === "required") {
      const key = String((e.params as { missingProperty: string }).missingProperty);
      fieldPath = [...fieldPath, key];
      if (suggested.has(formatFieldPath(fieldPath))) continue;
      made = expectedFound(describeSchema((e.parentSchema as SchemaLike).properties?.[key] ?? {}, true), "nothing");
    } else {
      const parent = e.parentSchema as SchemaLike;
      // The whole file of the wrong kind: name the keys it needs, as for a missing mapping.
      const wholeFile = at.length === 0 && e.instancePath === "";
      made = expectedFound(describeSchema(parent, wholeFile), describeFound(e.data), enumSuggestion(e, parent));
    }
    const problem = input.problem([...at, ...fieldPath], made, atKey);
    if (!byPath.has(problem.path)) byPath.set(problem.path, problem);
  }
  return [...byPath.values()];
}

/** An unknown key's message: the key meant, when it is clear, else every key there is. */
export function unknownKeyDetail(key: string, known: readonly string[]): Pick<InputProblem, "detail" | "expected" | "suggestion"> {
  const suggestion = closestWord(key, known);
  return suggestion
    ? { detail: `unknown key; did you mean "${suggestion}"?`, suggestion }
    : { detail: `unknown key; expected one of ${known.join(", ")}`, expected: `one of ${known.join(", ")}` };
}

function unknownKey(e: ErrorObject): { key: string; known: string[]; suggestion: string | undefined } | undefined {
  if (e.keyword !== "additionalProperties") return undefined;
  const key = String((e.params as { additionalProperty: string }).additionalProperty);
  const known = Object.keys((e.parentSchema as SchemaLike).properties ?? {});
  return { key, known, suggestion: closestWord(key, known) };
}

/** The choice a misspelt string was meant to be, for a value outside a closed set of words. */
function enumSuggestion(e: ErrorObject, schema: SchemaLike): string | undefined {
  const choices = closedSet(schema);
  if (!choices || typeof e.data !== "string") return undefined;
  return closestWord(e.data, choices.filter((v): v is string => typeof v === "string"));
}
