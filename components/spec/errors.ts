/** Where in a stack file a problem is: 1-based line and column, when the YAML parser knows them. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** One problem with a stack file, in the words an ops engineer needs to fix it. */
export interface SpecProblem {
  /** The stack file as the user named it, e.g. `stacks/Pulumi.prod.yaml`. */
  file: string;
  /** The field path, e.g. `ibac:platform.database.replicas`; empty for problems with the file as a whole. */
  path: string;
  /** The whole message without the file and path, e.g. `expected integer >= 1, found "two"`. */
  detail: string;
  position?: SourcePosition;
}

export function formatProblem(p: SpecProblem): string {
  return p.path ? `${p.file}: ${p.path}: ${p.detail}` : `${p.file}: ${p.detail}`;
}

/**
 * A stack file that cannot be used. A user mistake, not a bug: the CLI prints `message` (one line per
 * problem, with the line and column where known) and exits 2, with no stack trace.
 */
export class SpecError extends Error {
  readonly problems: SpecProblem[];

  constructor(problems: SpecProblem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "SpecError";
    this.problems = problems;
  }

  /** The message with each problem's line and column, for a terminal. */
  describe(): string {
    return this.problems
      .map((p) => formatProblem(p) + (p.position ? `\n    at line ${p.position.line}, column ${p.position.column}` : ""))
      .join("\n");
  }
}

/** A path into the platform spec: keys and array indexes, e.g. ["proxmox", "nodes", 1, "name"]. */
export type FieldPath = (string | number)[];

/** A problem found by a pure check, before it is tied to a file. */
export interface FieldProblem {
  path: FieldPath;
  detail: string;
}

/** `ibac:platform.proxmox.nodes[1].name` for ["proxmox", "nodes", 1, "name"]. */
export function formatFieldPath(path: FieldPath, root = "ibac:platform"): string {
  return path.reduce<string>((text, part) => (typeof part === "number" ? `${text}[${part}]` : `${text}.${part}`), root);
}
