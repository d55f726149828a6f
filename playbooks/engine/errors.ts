/**
 * A mistake in what the operator asked for (unknown runbook, bad option, unreachable host before anything
 * changed): reported as one clear message without a stack trace, exit code 2.
 */
export class RunbookInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RunbookInputError";
  }
}

/**
 * A runbook found the system in a state where going on could lose data; nothing was changed by the step
 * that found it. Exit code 3.
 */
export class UnsafeStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnsafeStateError";
  }
}
