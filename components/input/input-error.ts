// The one error shape for every file a user hands the toolkit (stack spec, requirement catalogue, waivers,
// runbook inventory, and the files later tiers add), and its one text form.
import { printable } from "./printable";

/** Where in a file a problem is: 1-based line and column, when the parser knows them. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** A path into a document: keys and array indexes, e.g. ["requirements", 3, "check", "policies"]. */
export type FieldPath = (string | number)[];

/** One problem with an input file, in the words the person who wrote the file needs to fix it. */
export interface InputProblem {
  /** The file as the user named it, e.g. `stacks/Pulumi.prod.yaml`; or the option, e.g. `--today`. */
  file: string;
  /** The field path as shown, e.g. `ibac:platform.database.replicas`; empty for the file as a whole. */
  path: string;
  /** The whole message without the file and path, e.g. `expected integer >= 1, found "two"`. */
  detail: string;
  position?: SourcePosition;
  /** What the field should be, and what it is, when the problem is of that form (as in `detail`). */
  expected?: string;
  found?: string;
  /** The known word the user probably meant (as in `detail`). */
  suggestion?: string;
}

/** Exit code of every command for input the user must fix. */
export const EXIT_INPUT = 2;

/** `requirements[3].check.policies` for ["requirements", 3, "check", "policies"]; `root` goes in front. */
export function formatFieldPath(fieldPath: FieldPath, root = ""): string {
  // A key is text from the file: one with a control character or a terminal escape is shown spelt out.
  return fieldPath.reduce<string>((out, part) => (typeof part === "number" ? `${out}[${part}]` : out ? `${out}.${printable(part)}` : printable(part)), root);
}

/** `; did you mean "x"?`, or nothing without a suggestion. */
export function didYouMean(suggestion: string | undefined): string {
  return suggestion === undefined ? "" : `; did you mean "${suggestion}"?`;
}

/** A problem of the form `expected X, found Y[; did you mean "Z"?]`, with its parts kept apart too. */
export function expectedFound(expected: string, found: string, suggestion?: string): Pick<InputProblem, "detail" | "expected" | "found" | "suggestion"> {
  return { detail: `expected ${expected}, found ${found}${didYouMean(suggestion)}`, expected, found, ...(suggestion === undefined ? {} : { suggestion }) };
}

/** One line: `file: path: detail`, or `file: detail` for the file as a whole. */
export function formatProblem(p: InputProblem): string {
  return p.path ? `${p.file}: ${p.path}: ${p.detail}` : `${p.file}: ${p.detail}`;
}

/**
 * An input file (or option) that cannot be used. A user mistake, not a bug: every command prints
 * `describe()` (one line per problem, each followed by its line and column where known) and exits 2, with
 * no stack trace.
 */
export class InputError extends Error {
  readonly problems: InputProblem[];

  constructor(problems: InputProblem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "InputError";
    this.problems = problems;
  }

  /** The message with each problem's line and column, for a terminal. */
  describe(): string {
    return this.problems
      .map((p) => formatProblem(p) + (p.position ? `\n    at line ${p.position.line}, column ${p.position.column}` : ""))
      .join("\n");
  }
}
