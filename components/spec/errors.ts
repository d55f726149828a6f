// FieldProblem is the spec's own: a pure check's problem before it is tied to the file, which turns it into
// an InputProblem (components/input/).
import type { FieldPath } from "../input/input-error";

/** A problem found by a pure check, before it is tied to a file. */
export interface FieldProblem {
  path: FieldPath;
  detail: string;
}
