import { GpuJobResult, isTerminal, type TaskView } from '@lumina/shared';
import type { tasks } from '../db/schema.ts';
import { errorFields } from '../logger.ts';
import type { ServiceContext } from './context.ts';

export type TaskRow = typeof tasks.$inferSelect;

/**
 * The public view of a task. For an open task the live queue state fills in what Postgres does not hold:
 * whether a worker has it, its progress, its place in the queue and the eta. Redis being down degrades
 * those fields, never the answer.
 */
export async function toTaskView(ctx: ServiceContext, row: TaskRow, options: { live: boolean }): Promise<TaskView> {
  let status = row.status;
  let progress = status === 'COMPLETED' ? 100 : 0;
  let queuePosition: number | null = null;
  let eta: number | null = isTerminal(status) ? 0 : null;

  if (options.live && !isTerminal(status)) {
    try {
      const [snapshot, position, load] = await Promise.all([
        ctx.queue.snapshot(row.id),
        ctx.queue.position(row.id),
        ctx.queue.load(),
      ]);
      if (snapshot.state === 'active') status = 'PROCESSING';
      progress = snapshot.progress;
      queuePosition = position;
      const each = await ctx.eta.processingSeconds(row.operation);
      eta =
        status === 'PROCESSING'
          ? Math.round(each * (1 - progress / 100) * 10) / 10
          : await ctx.eta.queuedEta(row.operation, position ?? load.waiting, load.workers);
    } catch (error) {
      ctx.log.warn('live queue state unavailable', { taskId: row.id, ...errorFields(error) });
    }
  }

  const signed =
    row.status === 'COMPLETED' ? ctx.signedUrls.sign(row.outputKey, ctx.config.resultUrlTtlSeconds) : undefined;
  // The row keeps the worker's whole report (model, provider, stage timings); the API shows the result part.
  const result = row.result ? (GpuJobResult.safeParse(row.result).data?.result ?? null) : null;
  return {
    taskId: row.id,
    status,
    operation: row.operation as TaskView['operation'],
    params: row.params,
    progress,
    eta,
    queuePosition,
    resultUrl: signed?.url ?? null,
    resultUrlExpiresAt: signed?.expiresAt.toISOString() ?? null,
    result: result ? { format: result.format, width: result.width, height: result.height, bytes: result.bytes } : null,
    creditsReserved: row.creditsReserved,
    creditsDeducted: row.creditsDeducted,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
    ...(row.errorCode
      ? { error: { code: row.errorCode as NonNullable<TaskView['error']>['code'], message: row.errorMessage ?? '' } }
      : {}),
  };
}
