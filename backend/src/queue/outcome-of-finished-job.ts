import { JobResult, parseFailedReason } from '@lumina/shared';
import type { Outcome } from '../services/tasks/settle-task.ts';
import { parseJsonOrUndefined } from './parse-json-or-undefined.ts';

// BullMQ's own reason for a job whose worker kept dying before finishing it (maxStalledCount exceeded).
const stalledTooOften = /stalled more than allowable limit/i;

export type FinishedJob =
  | { readonly state: 'completed'; readonly returnValue: unknown }
  | { readonly state: 'failed'; readonly failedReason: string | undefined };

/**
 * The task outcome of a finished job, for the queue-event follower and the reconciler alike: a completed job's
 * result (an unreadable one fails the task), or the worker's `code: message`, or `worker_lost` when BullMQ gave
 * up on a job whose workers kept stalling, or the cancel a worker carried out.
 */
export function outcomeOfFinishedJob(job: FinishedJob): Outcome {
  if (job.state === 'completed') {
    // Queue events carry the return value as JSON text; a job read back from Redis has it parsed.
    const raw = typeof job.returnValue === 'string' ? parseJsonOrUndefined(job.returnValue) : job.returnValue;
    const parsed = JobResult.safeParse(raw);
    return parsed.success
      ? { kind: 'completed', result: parsed.data }
      : { kind: 'failed', code: 'internal_error', message: 'The worker returned an unreadable result.' };
  }
  const reason = job.failedReason ?? 'internal_error: the job failed';
  if (stalledTooOften.test(reason)) {
    return {
      kind: 'failed',
      code: 'worker_lost',
      message: 'The workers processing this task stopped repeatedly before finishing it.',
    };
  }
  const failure = parseFailedReason(reason);
  // A worker that stopped the job on a cancel request fails it as `canceled`: the task's cancel taking effect.
  return failure.code === 'canceled' ? { kind: 'canceled' } : { kind: 'failed', ...failure };
}
