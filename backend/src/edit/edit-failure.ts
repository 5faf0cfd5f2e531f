import { formatFailedReason, type TaskErrorCode } from '@lumina/shared';
import { UnrecoverableError } from 'bullmq';

/**
 * Why a magic edit did not produce an image. `retryable` failures (429, 5xx, a dropped connection) may succeed
 * on another request, after `retryAfterMs` when the answer said how long to wait.
 */
export class EditFailure extends Error {
  override name = 'EditFailure';
  constructor(
    readonly code: TaskErrorCode,
    message: string,
    readonly retry: { readonly retryable: boolean; readonly retryAfterMs?: number | undefined } = { retryable: false },
  ) {
    super(message);
  }

  /** The job failure BullMQ records: final, since the worker has already retried what was worth retrying. */
  toJobError(): UnrecoverableError {
    return new UnrecoverableError(formatFailedReason(this.code, this.message));
  }
}
