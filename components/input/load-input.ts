// The one input loader: read the file, parse it with positions, check it against its schema, then run the
// checks a schema cannot express. Every problem is an InputProblem; the loader throws InputError, nothing else.
import * as fs from "node:fs";
import type { Static, TSchema } from "@sinclair/typebox";
import { expectedFound, InputError, type InputProblem } from "./input-error";
import { schemaProblems } from "./schema-problems";
import { parseYamlInput, type YamlInput, type YamlInputOptions } from "./yaml-input";

/**
 * The text of an input file. `noun` names it for a missing file ("no such catalogue file"); a file that is
 * not UTF-8 text says so rather than failing later as a syntax error.
 */
export function readInputText(file: string, shownFile: string, noun: string): string {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError([{ file: shownFile, path: "", detail: code === "ENOENT" ? `no such ${noun}` : `cannot be read (${code ?? String(err)})` }]);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const line = bytes.subarray(0, offset).filter((b) => b === 0x0a).length + 1;
    const position = { line, column: offset - (bytes.lastIndexOf(0x0a, offset - 1) + 1) + 1 };
    const found = `byte 0x${bytes[offset].toString(16).padStart(2, "0")}, which is not UTF-8, at line ${position.line}, column ${position.column}`;
    throw new InputError([{ file: shownFile, path: "", ...expectedFound("a UTF-8 text file", found), position }]);
  }
}

/** The offset of the first byte that does not belong to a well-formed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Buffer): number {
  // Decode ever longer prefixes ending at a character boundary: cheap enough for the one file that fails.
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let good = 0;
  for (let end = 1; end <= bytes.length; end++) {
    try {
      decoder.decode(bytes.subarray(good, end));
      good = end;
    } catch {
      if (end - good >= 4) return good;
    }
  }
  return good;
}

export interface LoadInputOptions<S extends TSchema> extends YamlInputOptions {
  /** The file as shown in messages. */
  file: string;
  text: string;
  schema: S;
  /** Checks a schema cannot express, on schema-valid data: each problem names its field. */
  checks?: (data: Static<S>, input: YamlInput) => InputProblem[];
}

/** Parses and checks an input file's text; returns its data, or throws InputError with every problem. */
export function loadInput<S extends TSchema>(options: LoadInputOptions<S>): Static<S> {
  const input = parseYamlInput(options.text, options.file, options);
  const problems = schemaProblems(input, options.schema, input.data);
  if (problems.length) throw new InputError(problems);
  const data = input.data as Static<S>;
  const meaning = options.checks?.(data, input) ?? [];
  if (meaning.length) throw new InputError(meaning);
  return data;
}
