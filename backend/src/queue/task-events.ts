import { errorFields, redisConnection } from '@lumina/runtime';
import { type QueueName, queueNames } from '@lumina/shared';
import { QueueEvents } from 'bullmq';
import type { ServiceContext } from '../services/context.ts';
import { markTaskProcessing } from '../services/tasks/mark-task-processing.ts';
import { settleTask } from '../services/tasks/settle-task.ts';
import { outcomeOfFinishedJob } from './outcome-of-finished-job.ts';

/**
 * Follows both queues' events and turns them into task state: active → PROCESSING, completed/failed →
 * settled. Every backend process runs one; settling is guarded, so several processes racing on the same event
 * settle the task once. Events missed while no backend ran are caught by the reconciler.
 */
export async function followTaskEvents(ctx: ServiceContext): Promise<{ close(): Promise<void> }> {
  const followers = await Promise.all([followQueue(ctx, 'gpu'), followQueue(ctx, 'edit')]);
  return { close: async () => void (await Promise.all(followers.map((events) => events.close()))) };
}

async function followQueue(ctx: ServiceContext, name: QueueName): Promise<QueueEvents> {
  const events = new QueueEvents(queueNames[name], {
    connection: redisConnection(ctx.config.redisUrl, 'consumer'),
    prefix: ctx.config.queuePrefix,
  });
  const guard = (what: string, taskId: string) => (error: unknown) =>
    ctx.log.error(`could not apply the ${what} event`, { taskId, ...errorFields(error) });

  events.on('active', ({ jobId }) => {
    markTaskProcessing({ ctx, input: { taskId: jobId } }).catch(guard('active', jobId));
  });
  events.on('progress', ({ jobId }) => ctx.updates.publish(jobId));
  events.on('completed', ({ jobId, returnvalue }) => {
    const outcome = outcomeOfFinishedJob({ state: 'completed', returnValue: returnvalue });
    settleTask({ ctx, input: { taskId: jobId, outcome } }).catch(guard('completed', jobId));
  });
  events.on('failed', ({ jobId, failedReason }) => {
    // Only a job that has used up its attempts is final; a retry shows up as waiting/delayed again.
    ctx.queue
      .snapshot(jobId, name)
      .then(async (job) => {
        if (job.state !== 'failed') return;
        const outcome = outcomeOfFinishedJob({ state: 'failed', failedReason });
        await settleTask({ ctx, input: { taskId: jobId, outcome } });
      })
      .catch(guard('failed', jobId));
  });
  events.on('error', (error) => ctx.log.warn('queue events connection error', errorFields(error)));
  await events.waitUntilReady();
  return events;
}
