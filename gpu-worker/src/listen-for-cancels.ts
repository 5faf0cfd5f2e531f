import { errorFields, type Logger } from '@lumina/backend/logger';
import { cancelChannel, cancelRequestKey } from '@lumina/shared';
import type { RedisClient } from 'bullmq';
import { Redis } from 'ioredis';

export interface CancelListener {
  /** Settles once the subscription is in place. */
  readonly ready: Promise<void>;
  /** Whether the backend has asked to cancel this task (a request made while no worker held the job). */
  requested(taskId: string): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Follows the backend's cancel requests for running tasks: each is published on one channel, and the job, if this
 * worker has it, is aborted at once (`onCancel`). The request also stays in a key for a while, so a job that was
 * between workers when it came (stalled, retried) is dropped by the next one at its start.
 */
export function listenForCancels({
  redisUrl,
  client,
  queuePrefix,
  onCancel,
  log,
}: {
  /** For the subscriber, which can issue nothing but (un)subscribe and so needs a connection of its own. */
  redisUrl: string;
  /** The worker's own connection, for reading request keys. */
  client: () => Promise<RedisClient>;
  queuePrefix: string;
  onCancel: (taskId: string) => void;
  log: Logger;
}): CancelListener {
  // ioredis queues the subscription until it connects and renews it after every reconnect.
  const subscriber = new Redis(redisUrl, { maxRetriesPerRequest: null });
  subscriber.on('error', (error: Error) => log.warn('cancel listener connection error', errorFields(error)));
  subscriber.on('message', (_channel: string, taskId: string) => onCancel(taskId));
  const ready = subscriber.subscribe(cancelChannel(queuePrefix)).then(() => undefined);
  return {
    ready,
    async requested(taskId) {
      return (await (await client()).get(cancelRequestKey(queuePrefix, taskId))) !== null;
    },
    async close() {
      subscriber.disconnect();
    },
  };
}
