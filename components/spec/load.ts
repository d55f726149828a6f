import * as fs from "node:fs";
import * as path from "node:path";
import { PlatformSpec, SPEC_PEM_FIELDS } from "./schema";
import type { FieldProblem } from "./errors";
import { crossCheckSpec } from "./cross-checks";
import { unsafeTextProblems } from "../input/text-safety";
import { closestWord } from "../input/did-you-mean";
import { describeFound } from "../input/describe";
import { expectedFound, formatFieldPath, InputError, type FieldPath, type InputProblem } from "../input/input-error";
import { readInputText } from "../input/load-input";
import { schemaProblems, unknownKeyDetail } from "../input/schema-problems";
import { parseYamlInput } from "../input/yaml-input";
import { buildModel } from "../model/build";
import type { PlatformModel } from "../model/types";

/** Whether a field path (from the config document's root) is one of the spec's PEM fields. */
function isSpecPemField(at: readonly (string | number)[]): boolean {
  const below = at.slice(PLATFORM_AT.length).map(String);
  return at.length > PLATFORM_AT.length && SPEC_PEM_FIELDS.some((f) => f.length === below.length && f.every((k, i) => k === below[i]));
}

/**
 * Keys whose values must be Pulumi secrets (`pulumi config set --secret`): the Proxmox token and deploy key,
 * the BMC password of the storage tier's second fencing level, and the third site's S3 keys.
 */
export const SECRET_CONFIG_KEYS = [
  "ibac:proxmoxApiToken",
  "ibac:sshPrivateKey",
  "ibac:fenceIpmiPassword",
  "ibac:replicationAccessKey",
  "ibac:replicationSecretKey",
] as const;
/** The config keys this toolkit reads in the `ibac` namespace of a stack file: the platform spec and the secrets. */
export const IBAC_CONFIG_KEYS = ["ibac:platform", ...SECRET_CONFIG_KEYS] as const;

export interface LoadedStack {
  stack: string;
  /** The stack file as shown to the user. */
  file: string;
  spec: PlatformSpec;
  model: PlatformModel;
  /** Config values other than the platform spec, as written (secure values stay encrypted). */
  config: Record<string, unknown>;
}

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

/** Reads and validates a stack file; throws InputError (never anything else) for a bad one. */
export function loadStackFile(file: string, displayName: string = file): LoadedStack {
  const text = readInputText(file, displayName, "stack file");
  const stack = /Pulumi\.([^/\\]+)\.yaml$/.exec(file)?.[1] ?? path.basename(file);
  return parseStack(text, displayName, stack);
}

const PLATFORM_AT: FieldPath = ["config", "ibac:platform"];

/** `ibac:platform.database.replicas` for the platform's fields, `config.ibac:platfrom` for the others. */
function showStackPath(fieldPath: FieldPath): string {
  return fieldPath[0] === "config" && fieldPath[1] === "ibac:platform" ? formatFieldPath(fieldPath.slice(1)) : formatFieldPath(fieldPath);
}

/** Validates the text of a stack file. Pure, for tests and for the CLI alike. */
export function parseStack(text: string, file: string, stack: string): LoadedStack {
  const input = parseYamlInput(text, file, { expected: "a Pulumi stack file with `config:` and the `ibac:platform` key", showPath: showStackPath });
  const root = input.data;
  const config = isRecord(root) ? root.config : undefined;
  if (!isRecord(config)) {
    throw new InputError([input.problem(["config"], expectedFound("a top-level `config:` mapping", describeFound(config)))]);
  }
  const unknownIbacKeys = Object.keys(config).filter((k) => k.startsWith("ibac:") && !(IBAC_CONFIG_KEYS as readonly string[]).includes(k));
  const problems: InputProblem[] = unknownIbacKeys.map((k) => input.problem(["config", k], unknownKeyDetail(k, IBAC_CONFIG_KEYS), true));
  for (const key of SECRET_CONFIG_KEYS) {
    const value = config[key];
    if (value !== undefined && !(isRecord(value) && typeof value.secure === "string")) {
      problems.push(input.problem(["config", key], expectedFound(`a Pulumi secret (set it with \`pulumi config set --secret ${key}\`)`, "a plain value")));
    }
  }
  const platform = config["ibac:platform"];
  if (platform === undefined) {
    // A misspelt `ibac:platform` has been reported above with its suggestion; do not report it twice.
    if (!unknownIbacKeys.some((k) => closestWord(k, IBAC_CONFIG_KEYS) === "ibac:platform")) {
      problems.push(input.problem(PLATFORM_AT, expectedFound("the platform spec (a mapping)", "nothing")));
    }
    throw new InputError(problems);
  }

  // Unsafe text first, in its own words (which character, where); the schema's verdict on the same field
  // would only repeat it less clearly.
  const textProblems = unsafeTextProblems(platform, PLATFORM_AT, isSpecPemField).map((p) => input.problem(p.path, p.detail));
  const textPaths = new Set(textProblems.map((p) => p.path));
  problems.push(...textProblems, ...schemaProblems(input, PlatformSpec, platform, PLATFORM_AT).filter((p) => !textPaths.has(p.path)));
  if (problems.length) throw new InputError(problems);
  const spec = platform as PlatformSpec;

  const toProblem = (p: FieldProblem): InputProblem => input.problem([...PLATFORM_AT, ...p.path], p.detail);
  const crossProblems = crossCheckSpec(spec);
  if (crossProblems.length) throw new InputError(crossProblems.map(toProblem));

  const { model, problems: modelProblems } = buildModel(spec);
  if (!model) throw new InputError(modelProblems.map(toProblem));

  const otherConfig = Object.fromEntries(Object.entries(config).filter(([k]) => k !== "ibac:platform"));
  return { stack, file, spec, model, config: otherConfig };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
