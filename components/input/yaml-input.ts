// An input file's text parsed with positions: YAML (or JSON, read through the same parser so that its
// problems get lines and columns too). What cannot be parsed is an InputError naming where and why.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode, type YAMLError } from "yaml";
import { expectedFound, formatFieldPath, InputError, type FieldPath, type InputProblem, type SourcePosition } from "./input-error";
import { positionOf } from "./yaml-position";

export interface YamlInputOptions {
  /** What the whole file should be, for an empty file: "a catalogue with version, requirements and outOfScope". */
  expected: string;
  /** How a document path is shown in messages (default `a.b[0].c`). */
  showPath?: (fieldPath: FieldPath) => string;
  /** JSON files are held to JSON's syntax, then read by the YAML parser for positions. */
  syntax?: "YAML" | "JSON";
}

/** A parsed input file: its data, and problems tied to its fields. */
export interface YamlInput {
  file: string;
  data: unknown;
  /** A problem at a document path, positioned at the value (or with `atKey` the key), or its nearest parent. */
  problem(fieldPath: FieldPath, detail: string | Pick<InputProblem, "detail" | "expected" | "found" | "suggestion">, atKey?: boolean): InputProblem;
}

/** Parses the text of an input file; throws InputError for an empty file, non-text, or a syntax error. */
export function parseYamlInput(text: string, file: string, options: YamlInputOptions): YamlInput {
  const showPath = options.showPath ?? ((p: FieldPath) => formatFieldPath(p));
  const lineCounter = new LineCounter();
  const fail = (fieldPath: FieldPath, detail: Parameters<YamlInput["problem"]>[1], position?: SourcePosition): never => {
    throw new InputError([{ file, path: showPath(fieldPath), ...(typeof detail === "string" ? { detail } : detail), ...(position ? { position } : {}) }]);
  };

  const nul = text.indexOf("\0");
  if (nul >= 0) {
    // A binary file (or UTF-16) would otherwise get a baffling YAML syntax error.
    const position = positionAt(text, nul);
    fail([], expectedFound("a text file", `a NUL byte at line ${position.line}, column ${position.column}`), position);
  }
  if (text.trim() === "") fail([], `the file is empty; expected ${options.expected}`);
  if (options.syntax === "JSON") checkJsonSyntax(text, fail);

  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  // Only the first error: the parser's later ones are nearly always consequences of it.
  const error = doc.errors[0] as YAMLError | undefined;
  if (error) {
    // With prettyErrors off the parser leaves linePos unset: compute it from the offset.
    const { line, col: column } = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
    if (error.code === "DUPLICATE_KEY") {
      const duplicate = findKey(doc, error.pos[0]);
      if (duplicate) {
        const first = lineCounter.linePos(duplicate.first);
        fail(duplicate.path, expectedFound("each key once in a mapping", `${JSON.stringify(duplicate.key)} again (first at line ${first.line})`), { line, column });
      }
    }
    const message = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    fail([], `${options.syntax ?? "YAML"} syntax error at line ${line}, column ${column}: ${message}`, { line, column });
  }

  return {
    file,
    data: doc.toJS() as unknown,
    problem(fieldPath, detail, atKey = false) {
      const position = positionOf(doc, lineCounter, fieldPath, atKey);
      return { file, path: showPath(fieldPath), ...(typeof detail === "string" ? { detail } : detail), ...(position ? { position } : {}) };
    },
  };
}

/** JSON.parse's verdict, with its `at position N` turned into a line and column. */
function checkJsonSyntax(text: string, fail: (fieldPath: FieldPath, detail: string, position?: SourcePosition) => never): void {
  try {
    JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const offset = /at position (\d+)/.exec(message)?.[1];
    const reason = message.replace(/ in JSON at position \d+.*$/, "").replace(/ \(line \d+ column \d+\)$/, "");
    if (offset === undefined) fail([], `JSON syntax error: ${reason}`);
    const position = positionAt(text, Number(offset));
    fail([], `JSON syntax error at line ${position.line}, column ${position.column}: ${reason}`, position);
  }
}

function positionAt(text: string, offset: number): SourcePosition {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

/** The mapping key that starts at `offset`: its document path, and where the same key first appears. */
function findKey(doc: Document, offset: number): { path: FieldPath; key: string; first: number } | undefined {
  const visit = (node: unknown, at: FieldPath): { path: FieldPath; key: string; first: number } | undefined => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const key = pair.key as YamlNode & { value: unknown };
        if (key.range?.[0] === offset) {
          const first = node.items.find((other) => isScalar(other.key) && other.key.value === key.value);
          return { path: [...at, String(key.value)], key: String(key.value), first: (first?.key as YamlNode | undefined)?.range?.[0] ?? offset };
        }
        const inner = visit(pair.value, [...at, String(key.value)]);
        if (inner) return inner;
      }
    } else if (isSeq(node)) {
      for (const [i, item] of node.items.entries()) {
        const inner = visit(item, [...at, i]);
        if (inner) return inner;
      }
    }
    return undefined;
  };
  return visit(doc.contents, []);
}
