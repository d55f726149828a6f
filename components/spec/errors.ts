// The stack file's problems are input problems like any other file's (components/input/); these names stay
// for the code that knew them first. FieldProblem is the spec's own: a pure check's problem before it is tied
// to the file.
import type { FieldPath } from "../input/input-error";

export { InputError as SpecError } from "../input/input-error";
export type { FieldPath } from "../input/input-error";

/** A problem found by a pure check, before it is tied to a file. */
export interface FieldProblem {
  path: FieldPath;
  detail: string;
}
