import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { type ErrorObject } from "ajv";
import { LineCounter, parseDocument, type Document } from "yaml";
import { PlatformSpec } from "./schema";
import { SpecError, formatFieldPath, type FieldProblem, type SpecProblem, type SourcePosition } from "./errors";
import { closestWord } from "./did-you-mean";
import { crossCheckSpec } from "./cross-checks";
import { pointerToPath, positionOf } from "./yaml-position";
import { buildModel } from "../model/build";
import type { PlatformModel } from "../model/types";

/** The config keys this toolkit reads in the `ibac` namespace of a stack file. */
export const IBAC_CONFIG_KEYS = ["ibac:platform", "ibac:proxmoxApiToken", "ibac:sshPrivateKey"] as const;
/** Keys whose values must be Pulumi secrets (`pulumi config set --secret`). */
export const SECRET_CONFIG_KEYS = ["ibac:proxmoxApiToken", "ibac:sshPrivateKey"] as const;

export interface LoadedStack {
  stack: string;
  /** The stack file as shown to the user. */
  file: string;
  spec: PlatformSpec;
  model: PlatformModel;
  /** Config values other than the platform spec, as written (secure values stay encrypted). */
  config: Record<string, unknown>;
}

const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false });
const validatePlatform = ajv.compile<PlatformSpec>(PlatformSpec);

/** stacks/Pulumi.<stack>.yaml under a project directory. */
export function stackFilePath(projectDir: string, stack: string): string {
  return path.join(projectDir, "stacks", `Pulumi.${stack}.yaml`);
}

/** The stacks a project has, from the file names in stacks/. */
export function listStacks(projectDir: string): string[] {
  const dir = path.join(projectDir, "stacks");
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map((f) => /^Pulumi\.([A-Za-z0-9_.-]+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => Boolean(s))
    .sort();
}

/** Reads and validates a stack file; throws SpecError (never anything else) for a bad one. */
export function loadStackFile(file: string, displayName: string = file): LoadedStack {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SpecError([{ file: displayName, path: "", detail: code === "ENOENT" ? "no such stack file" : `cannot be read (${code})` }]);
  }
  const stack = /Pulumi\.([^/\\]+)\.yaml$/.exec(file)?.[1] ?? path.basename(file);
  return parseStack(text, displayName, stack);
}

/** Validates the text of a stack file. Pure, for tests and for the CLI alike. */
export function parseStack(text: string, file: string, stack: string): LoadedStack {
  const problem = (detail: string, fieldPath = "", position?: SourcePosition): SpecProblem => ({ file, path: fieldPath, detail, ...(position ? { position } : {}) });
  if (text.trim() === "") {
    throw new SpecError([problem("the file is empty; expected a Pulumi stack file with `config:` and the `ibac:platform` key")]);
  }

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length) {
    // Only the first syntax error: the parser's later ones are nearly always consequences of it.
    throw new SpecError(
      doc.errors.slice(0, 1).map((e) => {
        // With prettyErrors off the parser leaves linePos unset: compute it from the offset ourselves.
        const { line, col: column } = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
        const message = e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
        return problem(`YAML syntax error at line ${line}, column ${column}: ${message}`, "", { line, column });
      }),
    );
  }

  const root: unknown = doc.toJS();
  const config = isRecord(root) ? root.config : undefined;
  if (!isRecord(config)) {
    throw new SpecError([problem(`expected a top-level \`config:\` mapping, found ${describeFound(config)}`, "config")]);
  }
  const unknownIbacKeys = Object.keys(config).filter((k) => k.startsWith("ibac:") && !(IBAC_CONFIG_KEYS as readonly string[]).includes(k));
  const problems: SpecProblem[] = unknownIbacKeys.map((k) => {
    const suggestion = closestWord(k, IBAC_CONFIG_KEYS);
    return problem(`unknown key${suggestion ? `; did you mean "${suggestion}"?` : `; expected one of ${IBAC_CONFIG_KEYS.join(", ")}`}`, `config.${k}`, positionOf(doc, lineCounter, ["config", k], true));
  });
  for (const key of SECRET_CONFIG_KEYS) {
    const value = config[key];
    if (value !== undefined && !(isRecord(value) && typeof value.secure === "string")) {
      problems.push(problem(`expected a Pulumi secret (set it with \`pulumi config set --secret ${key}\`), found a plain value`, `config.${key}`, positionOf(doc, lineCounter, ["config", key])));
    }
  }
  const platform = config["ibac:platform"];
  if (platform === undefined) {
    // A misspelt `ibac:platform` has been reported above with its suggestion; do not report it twice.
    if (!unknownIbacKeys.some((k) => closestWord(k, IBAC_CONFIG_KEYS) === "ibac:platform")) {
      problems.push(problem("expected the platform spec (a mapping), found nothing", "ibac:platform"));
    }
    throw new SpecError(problems);
  }

  if (!validatePlatform(platform)) {
    problems.push(...schemaProblems(validatePlatform.errors ?? [], file, doc, lineCounter));
    throw new SpecError(problems);
  }
  if (problems.length) throw new SpecError(problems);

  const toSpecProblem = (p: FieldProblem): SpecProblem =>
    problem(p.detail, formatFieldPath(p.path), positionOf(doc, lineCounter, ["config", "ibac:platform", ...p.path]));
  const crossProblems = crossCheckSpec(platform);
  if (crossProblems.length) throw new SpecError(crossProblems.map(toSpecProblem));

  const { model, problems: modelProblems } = buildModel(platform);
  if (!model) throw new SpecError(modelProblems.map(toSpecProblem));

  const otherConfig = Object.fromEntries(Object.entries(config).filter(([k]) => k !== "ibac:platform"));
  return { stack, file, spec: platform, model, config: otherConfig };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function schemaProblems(errors: ErrorObject[], file: string, doc: Document, lineCounter: LineCounter): SpecProblem[] {
  const byPath = new Map<string, SpecProblem>();
  // A misspelt key is reported once, as the unknown key with its suggestion, not again as the missing key.
  const suggested = new Set(
    errors
      .filter((e) => e.keyword === "additionalProperties")
      .map((e) => {
        const key = String((e.params as { additionalProperty: string }).additionalProperty);
        const known = Object.keys((e.parentSchema as { properties?: Record<string, unknown> }).properties ?? {});
        const suggestion = closestWord(key, known);
        return suggestion === undefined ? "" : formatFieldPath([...pointerToPath(e.instancePath), suggestion]);
      })
      .filter((text) => text !== ""),
  );
  for (const e of errors) {
    let fieldPath = pointerToPath(e.instancePath);
    let detail: string;
    let keyPosition = false;
    if (e.keyword === "additionalProperties") {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: Record<string, unknown> }).properties ?? {});
      const suggestion = closestWord(key, known);
      fieldPath = [...fieldPath, key];
      detail = suggestion ? `unknown key; did you mean "${suggestion}"?` : `unknown key; expected one of ${known.join(", ")}`;
      keyPosition = true;
    } else if (e.keyword === "required") {
      const key = String((e.params as { missingProperty: string }).missingProperty);
      const schema = (e.parentSchema as { properties?: Record<string, SchemaLike> }).properties?.[key] ?? {};
      fieldPath = [...fieldPath, key];
      if (suggested.has(formatFieldPath(fieldPath))) continue;
      detail = `expected ${describeSchema(schema, true)}, found nothing`;
    } else {
      detail = `expected ${describeSchema(e.parentSchema as SchemaLike)}, found ${describeFound(e.data)}`;
    }
    const text = formatFieldPath(fieldPath);
    if (byPath.has(text)) continue;
    const position = positionOf(doc, lineCounter, ["config", "ibac:platform", ...fieldPath], keyPosition);
    byPath.set(text, { file, path: text, detail, ...(position ? { position } : {}) });
  }
  return [...byPath.values()];
}

interface SchemaLike {
  type?: string;
  required?: string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  multipleOf?: number;
  minItems?: number;
  minLength?: number;
  uniqueItems?: boolean;
  description?: string;
  items?: SchemaLike;
}

/**
 * What a schema wants, in words: `integer >= 1`, `one of 8, 9`, `an IPv4 address such as ...`. With
 * `listKeys`, a mapping also names its required keys (for a missing mapping, where that says what to write).
 */
export function describeSchema(schema: SchemaLike, listKeys = false): string {
  if (schema.enum) return `one of ${schema.enum.map((v) => JSON.stringify(v)).join(", ")}`;
  switch (schema.type) {
    case "integer":
    case "number": {
      let text = schema.type;
      if (schema.minimum !== undefined && schema.maximum !== undefined) text += ` from ${schema.minimum} to ${schema.maximum}`;
      else if (schema.minimum !== undefined) text += ` >= ${schema.minimum}`;
      else if (schema.maximum !== undefined) text += ` <= ${schema.maximum}`;
      if (schema.multipleOf !== undefined) text += `, a multiple of ${schema.multipleOf}`;
      return text;
    }
    case "string":
      return schema.description ?? (schema.minLength ? "a non-empty string" : "a string");
    case "boolean":
      return "true or false";
    case "array": {
      const items = schema.items ? describeSchema(schema.items) : "values";
      const atLeast = schema.minItems ? `at least ${schema.minItems} ` : "";
      return `a list of ${atLeast}${items.replace(/^an? /, "")}${schema.uniqueItems ? " without repeats" : ""}`;
    }
    case "object": {
      const keys = listKeys && schema.required?.length ? ` with ${schema.required.join(", ")}` : "";
      return (schema.description ? `a mapping (${schema.description})` : "a mapping") + keys;
    }
    default:
      return schema.description ?? "a value";
  }
}

export function describeFound(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : `a list of ${value.length}`;
  if (typeof value === "object") return "a mapping";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}..."` : text;
}

