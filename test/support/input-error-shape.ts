// Every loader's error is the one input error: the same class, problem fields and terminal layout.
import { expect } from "vitest";
import { InputError, type InputProblem } from "../../components/input/input-error";

/** What `load()` throws, checked to be an InputError whose only problem is `expected`, laid out as every file's is. */
export function expectInputProblem(load: () => unknown, expected: InputProblem): void {
  let thrown: unknown;
  try {
    load();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(InputError);
  const err = thrown as InputError;
  expect(err.problems).toEqual([expected]);
  const where = expected.position ? `\n    at line ${expected.position.line}, column ${expected.position.column}` : "";
  expect(err.describe()).toBe(`${expected.file}: ${expected.path}: ${expected.detail}${where}`);
}
