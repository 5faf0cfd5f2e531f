import {
  apiErrorWords,
  clientErrorWords,
  genericErrorWords,
  taskErrorWords,
  type WordedLimits,
} from './error-words.ts';

export interface ExplainOptions {
  /** From capabilities, for words that quote a limit ("larger than 25 MB"). */
  readonly limits?: WordedLimits;
  /** The host's own failure codes (a deleted layer, an image too large for the canvas) and their words. */
  readonly hostWords?: Readonly<Record<string, string>>;
}

/**
 * Plain words for anything that went wrong: a `LuminaApiError`, a task's `{ code, message }` error, a host
 * error with a `code`, or anything thrown. Only the code is read: a message (zod's "✖ Invalid input → at
 * params.scale", a stack) is never shown to a designer.
 */
export function explainError(error: unknown, options: ExplainOptions = {}): string {
  const code = codeOf(error);
  if (code === null) return genericErrorWords;
  const apiWords = apiErrorWords(options.limits ?? null);
  // Task codes first for a task's own error: its `internal_error` and `canceled` also say nothing was charged.
  const tables = isTaskError(error)
    ? [options.hostWords, clientErrorWords, taskErrorWords, apiWords]
    : [options.hostWords, clientErrorWords, apiWords, taskErrorWords];
  for (const table of tables) {
    const words = table && wordOf(table, code);
    if (words) return words;
  }
  return genericErrorWords;
}

const codeOf = (error: unknown): string | null => {
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return null;
};

// Looked up as own keys only: a code such as `constructor` must not find Object's prototype.
const wordOf = (table: Readonly<Record<string, string>>, code: string): string | undefined =>
  Object.hasOwn(table, code) ? table[code] : undefined;

/** A task's `error` field (`{ code, message }`), as opposed to a thrown error, which is an `Error`. */
const isTaskError = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && !(error instanceof Error) && 'message' in error;
