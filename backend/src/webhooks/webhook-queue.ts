import { redisConnection } from '@lumina/runtime';
import { queueNames, type WebhookAttemptJob } from '@lumina/shared';
import { Queue } from 'bullmq';
import { closeQueue } from '../queue/close-queue.ts';

/** The producer side of the `lumina-webhooks` queue: one job per attempt of a delivery. */
export interface WebhookQueue {
  /** Adds attempt `attempt` of the delivery after `delayMs`; adding a job that is already queued does nothing. */
  enqueue(job: WebhookAttemptJob, delayMs: number): Promise<void>;
  close(): Promise<void>;
}

export const webhookJobId = (job: WebhookAttemptJob): string => `${job.deliveryId}-${job.attempt}`;

export function createWebhookQueue(options: { redisUrl: string; prefix: string }): WebhookQueue {
  const queue = new Queue<WebhookAttemptJob>(queueNames.webhooks, {
    connection: redisConnection(options.redisUrl, 'producer'),
    prefix: options.prefix,
    // The database holds each delivery's state; a job is only the wake-up for one attempt.
    defaultJobOptions: { attempts: 1, removeOnComplete: true, removeOnFail: true },
  });
  queue.on('error', () => {
    // Connection errors surface on `enqueue`; the sweep re-enqueues what could not be added.
  });
  return {
    async enqueue(job, delayMs) {
      await queue.add('attempt', job, { jobId: webhookJobId(job), delay: Math.max(0, delayMs) });
    },
    close: () => closeQueue(queue),
  };
}
