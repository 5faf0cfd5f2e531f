import { setTimeout as sleep } from 'node:timers/promises';
import { EditFailure } from './edit-failure.ts';
import type { EditedImage, EditRequest, GeminiEditor } from './gemini-editor.ts';

export interface RetryPolicy {
  /** Requests in all, the first included. */
  readonly maxAttempts: number;
  /** The first wait, doubled after each failure, when the answer does not say how long to wait. */
  readonly retryBaseMs: number;
  /** The longest wait accepted; an answer asking for more fails the edit at once. */
  readonly retryMaxMs: number;
}

/**
 * Sends the edit until it succeeds, fails for good, or runs out of attempts. Only `retryable` failures (429,
 * 5xx, network) are retried: after `Retry-After` when the answer gave one, else after an exponential backoff
 * with jitter. The last failure is what the task reports.
 */
export async function editWithRetries(
  editor: GeminiEditor,
  request: EditRequest,
  policy: RetryPolicy,
  onRetry?: (failure: EditFailure, waitMs: number, attempt: number) => void,
): Promise<{ image: EditedImage; attempts: number }> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return { image: await editor.edit(request), attempts: attempt };
    } catch (error) {
      if (!(error instanceof EditFailure) || !error.retry.retryable) throw error;
      if (attempt >= policy.maxAttempts) {
        throw new EditFailure(error.code, `${error.message} (gave up after ${attempt} attempts)`);
      }
      const backoff = policy.retryBaseMs * 2 ** (attempt - 1) * (0.8 + Math.random() * 0.4);
      const waitMs = Math.round(error.retry.retryAfterMs ?? Math.min(backoff, policy.retryMaxMs));
      if (waitMs > policy.retryMaxMs) {
        throw new EditFailure(
          error.code,
          `${error.message} (asked to retry after ${Math.ceil(waitMs / 1000)} s, longer than this server waits)`,
        );
      }
      onRetry?.(error, waitMs, attempt);
      await sleep(waitMs);
    }
  }
}
