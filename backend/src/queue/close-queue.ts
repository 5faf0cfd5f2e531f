import { setTimeout as sleep } from 'node:timers/promises';
import type { Queue } from 'bullmq';

/**
 * Closes a producer queue without racing its start-up. A queue checks the Redis version as it connects; closed
 * before that check answers (a short-lived process such as the admin CLI), the check fails after the queue has
 * dropped its listeners and the error crashes the process. Waiting for it first — at most a second, since a
 * Redis that is down never answers — avoids that.
 */
export async function closeQueue(queue: Queue): Promise<void> {
  await Promise.race([queue.waitUntilReady().catch(() => undefined), sleep(1000)]);
  await queue.close();
}
