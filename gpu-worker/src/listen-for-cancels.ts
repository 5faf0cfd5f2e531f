import { errorFields, type Logger } from '@lumina/runtime';
import { cancelRequestKey } from '@lumina/shared';
import type { RedisClient } from 'bullmq';

export interface CancelListener {
  /** Whether the backend has asked to cancel this task. */
  requested(taskId: string): Promise<boolean>;
  /** Stops looking. */
  close(): void;
}

/**
 * Follows the backend's cancel requests for the jobs this worker holds: the backend leaves a key per canceled task
 * (`cancelRequestKey`), and every `intervalMs` the worker looks for the keys of its jobs in flight and aborts
 * those it finds (`onCancel`). One small read per job in flight per interval; a job that changed workers (stalled,
 * retried) finds the key at its start just the same.
 */
export function listenForCancels({
  client,
  queuePrefix,
  inFlight,
  onCancel,
  intervalMs = 250,
  log,
}: {
  client: () => Promise<RedisClient>;
  queuePrefix: string;
  /** The task ids of the jobs this worker holds now. */
  inFlight: () => Iterable<string>;
  onCancel: (taskId: string) => void;
  intervalMs?: number;
  log: Logger;
}): CancelListener {
  const requested = async (taskId: string) =>
    (await (await client()).get(cancelRequestKey(queuePrefix, taskId))) !== null;
  let looking = false;
  const timer = setInterval(() => {
    if (looking) return;
    looking = true;
    Promise.all(
      [...inFlight()].map(async (taskId) => {
        if (await requested(taskId)) onCancel(taskId);
      }),
    )
      .catch((error: unknown) => log.warn('could not look for cancel requests', errorFields(error)))
      .finally(() => {
        looking = false;
      });
  }, intervalMs);
  // Looking for cancels must not keep an otherwise finished process alive.
  timer.unref();
  return {
    requested,
    close: () => clearInterval(timer),
  };
}
