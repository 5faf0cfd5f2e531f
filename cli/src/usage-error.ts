/** A mistake in how the command was called: said in plain words, with exit code 2 and no stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
