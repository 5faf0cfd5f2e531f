import { errorFields } from '@lumina/runtime';
import { queueOf, TaskJob } from '@lumina/shared';
import { and, asc, eq, inArray, lt } from 'drizzle-orm';
import { tasks } from '../../db/schema.ts';
import { outcomeOfFinishedJob } from '../../queue/outcome-of-finished-job.ts';
import type { ServiceContext } from '../context.ts';
import { settleTask } from './settle-task.ts';

export interface ReconcileSummary {
  checked: number;
  requeued: number;
  settled: number;
  timedOut: number;
}

const batchSize = 500;

/**
 * Postgres is the source of truth and Redis may be lost. For every open task older than a grace period this
 * compares the task with its job: a finished job whose event was missed is settled now, a vanished job is
 * enqueued again (same job id, same output key), and a task past its deadline fails and releases its credits.
 */
export async function reconcileTasks({ ctx }: { ctx: ServiceContext }): Promise<ReconcileSummary> {
  const now = new Date();
  const summary: ReconcileSummary = { checked: 0, requeued: 0, settled: 0, timedOut: 0 };
  const open = await ctx.db
    .select()
    .from(tasks)
    .where(
      and(
        inArray(tasks.status, ['QUEUED', 'PROCESSING']),
        lt(tasks.createdAt, new Date(now.getTime() - ctx.config.reconcileGraceMs)),
      ),
    )
    .orderBy(asc(tasks.createdAt))
    .limit(batchSize);

  for (const task of open) {
    summary.checked += 1;
    try {
      if (task.deadlineAt.getTime() <= now.getTime()) {
        await ctx.queue.remove(task.id, queueOf(task.operation)).catch(() => false);
        const settled = await settleTask({
          ctx,
          input: {
            taskId: task.id,
            outcome: { kind: 'failed', code: 'timed_out', message: 'The task did not finish before its deadline.' },
          },
        });
        if (settled) summary.timedOut += 1;
        continue;
      }
      const job = await ctx.queue.snapshot(task.id, queueOf(task.operation));
      if (job.state === 'completed') {
        const outcome = outcomeOfFinishedJob({ state: 'completed', returnValue: job.returnValue });
        if (await settleTask({ ctx, input: { taskId: task.id, outcome } })) summary.settled += 1;
      } else if (job.state === 'failed') {
        const outcome = outcomeOfFinishedJob({ state: 'failed', failedReason: job.failedReason });
        if (await settleTask({ ctx, input: { taskId: task.id, outcome } })) summary.settled += 1;
      } else if (job.state === 'missing') {
        const payload = TaskJob.parse({
          taskId: task.id,
          request: { operation: task.operation, params: task.params },
          inputKey: task.inputKey,
          outputKey: task.outputKey,
          ...(task.backgroundKey ? { backgroundKey: task.backgroundKey } : {}),
        });
        await ctx.queue.enqueue(payload);
        await ctx.db
          .update(tasks)
          .set({ status: 'QUEUED', startedAt: null, enqueueCount: task.enqueueCount + 1 })
          .where(and(eq(tasks.id, task.id), inArray(tasks.status, ['QUEUED', 'PROCESSING'])));
        summary.requeued += 1;
        ctx.log.warn('re-enqueued a task whose job had vanished', { taskId: task.id });
      }
    } catch (error) {
      ctx.log.error('could not reconcile a task', { taskId: task.id, ...errorFields(error) });
    }
  }
  return summary;
}
