import { errorFields, redisConnection } from '@lumina/runtime';
import { queueNames, WebhookAttemptJob } from '@lumina/shared';
import { Worker } from 'bullmq';
import type { ServiceContext } from '../services/context.ts';
import { deliverWebhook } from '../services/webhooks/deliver-webhook.ts';

/**
 * Consumes `lumina-webhooks` in every backend process: each job is one attempt, and `deliverWebhook` claims it in
 * the database first, so any number of processes share the queue without sending an attempt twice.
 */
export async function startWebhookWorker(ctx: ServiceContext): Promise<{ close(): Promise<void> }> {
  const worker = new Worker(
    queueNames.webhooks,
    async (job) => deliverWebhook({ ctx, input: WebhookAttemptJob.parse(job.data) }),
    {
      connection: redisConnection(ctx.config.redisUrl, 'consumer'),
      prefix: ctx.config.queuePrefix,
      concurrency: ctx.config.webhooks.concurrency,
    },
  );
  worker.on('failed', (job, error) => {
    ctx.log.warn('webhook attempt could not run; the sweep retries it', { jobId: job?.id, ...errorFields(error) });
  });
  worker.on('error', (error) => ctx.log.warn('webhook worker error', errorFields(error)));
  await worker.waitUntilReady();
  return { close: () => worker.close() };
}
