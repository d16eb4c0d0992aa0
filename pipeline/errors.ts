/**
 * An error the user can fix: a bad front-matter field, a missing file, an unknown citation key.
 * Its message is one sentence naming the file or field and what to do; the CLI prints it alone, with no stack.
 */
export class UserError extends Error {
  override name = 'UserError';
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof Error && error.name === 'UserError';
}
