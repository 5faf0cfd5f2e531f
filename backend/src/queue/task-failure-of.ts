import { parseFailedReason, type TaskErrorCode } from '@lumina/shared';

// BullMQ's own reason for a job whose worker kept dying before finishing it (maxStalledCount exceeded).
const stalledTooOften = /stalled more than allowable limit/i;

/** The task failure for a failed job: the worker's `code: message`, or `worker_lost` for BullMQ's stall limit. */
export function taskFailureOf(failedReason: string | undefined): { code: TaskErrorCode; message: string } {
  const reason = failedReason ?? 'internal_error: the job failed';
  if (stalledTooOften.test(reason)) {
    return { code: 'worker_lost', message: 'The workers processing this task stopped repeatedly before finishing it.' };
  }
  return parseFailedReason(reason);
}

/**
 * The settlement for a job that failed for good: a worker that stopped it on a cancel request fails it as
 * `canceled`, which is the task's cancel taking effect, not a failure.
 */
export function outcomeOfFailedJob(
  failedReason: string | undefined,
): { kind: 'canceled' } | { kind: 'failed'; code: TaskErrorCode; message: string } {
  const reason = taskFailureOf(failedReason);
  return reason.code === 'canceled' ? { kind: 'canceled' } : { kind: 'failed', ...reason };
}
