import type { TaskErrorCode } from '@lumina/shared';

/**
 * A pipeline failure that knows its task error code and whether running the job again can help: an image
 * that does not decode never will, an inference that failed (out of memory, a provider hiccup) might.
 */
export class PipelineError extends Error {
  override name = 'PipelineError';
  readonly code: TaskErrorCode;
  readonly retryable: boolean;

  constructor(code: TaskErrorCode, message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable;
  }
}
