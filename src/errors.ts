/**
 * Every error a user can cause or fix is a FhekitError: a stable `code` to search for, a message that
 * says what went wrong, and a `hint` that says what to do next. Anything else is a bug.
 */
export class FhekitError extends Error {
  readonly code: string;
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FhekitError';
    this.code = code;
    this.hint = options.hint;
  }
}

export function isFhekitError(error: unknown): error is FhekitError {
  return error instanceof FhekitError;
}
