import { errorFields } from '@lumina/runtime';
import { isTerminal, JobResult, queueOf, type TaskView } from '@lumina/shared';
import type { tasks } from '../../db/schema.ts';
import type { ServiceContext } from '../context.ts';
import { watermarksResults } from '../teams/team-plan.ts';
import { thumbnailKeyOf } from './result-keys.ts';

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
      const snapshot = await ctx.queue.snapshot(row.id, queueOf(row.operation));
      progress = snapshot.progress;
      if (snapshot.state === 'active') {
        status = 'PROCESSING';
        const each = await ctx.eta.processingSeconds(row.operation);
        eta = Math.round(each * (1 - progress / 100) * 10) / 10;
      } else {
        const live = await queuedPlace(ctx, row.id, queueOf(row.operation));
        queuePosition = live.queuePosition;
        eta = live.eta;
      }
    } catch (error) {
      ctx.log.warn('live queue state unavailable', { taskId: row.id, ...errorFields(error) });
    }
  }

  // `wm=1` in the link exactly when the file route would mark the result, so the edge never serves it clean.
  const watermark = row.status === 'COMPLETED' && (await watermarksResults(ctx, row.teamId));
  const linkTtlSeconds = resultLinkTtlSeconds(ctx.config.resultUrlTtlSeconds, row.expiresAt, new Date());
  const signed =
    row.status === 'COMPLETED' ? ctx.signedUrls.sign(row.outputKey, linkTtlSeconds, { watermark }) : undefined;
  // The thumbnail is marked like the result it shows.
  const thumbnail =
    row.status === 'COMPLETED' ? ctx.signedUrls.sign(thumbnailKeyOf(row.id), linkTtlSeconds, { watermark }) : undefined;
  // The row keeps the worker's whole report (model, provider, timings); the API shows the result part.
  const result = row.result ? (JobResult.safeParse(row.result).data?.result ?? null) : null;
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
    thumbnailUrl: thumbnail?.url ?? null,
    result,
    creditsReserved: row.creditsReserved,
    creditsDeducted: row.creditsDeducted,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    sourceTaskId: row.sourceTaskId,
    fileName: row.fileName,
    backgroundImage: row.backgroundKey !== null,
    source: row.sourceKind ? { kind: row.sourceKind, apiKeyId: row.sourceApiKeyId, label: row.sourceLabel } : null,
    ...(row.errorCode
      ? { error: { code: row.errorCode as NonNullable<TaskView['error']>['code'], message: row.errorMessage ?? '' } }
      : {}),
  };
}

/**
 * A result link lives the configured TTL, but never past the task's `expiresAt`: caches keep an answer only as
 * long as its link is valid, so none serves a result after retention deleted it. At least one second, so a link
 * to a result about to be deleted is still well-formed.
 */
export function resultLinkTtlSeconds(configuredSeconds: number, expiresAt: Date | null, now: Date): number {
  if (expiresAt === null) return configuredSeconds;
  const leftSeconds = Math.floor((expiresAt.getTime() - now.getTime()) / 1000);
  return Math.max(1, Math.min(configuredSeconds, leftSeconds));
}

/** Place in the queue (0 = next) and seconds until done, for a task that waits for a worker. */
export async function queuedPlace(
  ctx: ServiceContext,
  taskId: string,
  operation: string,
): Promise<{ queuePosition: number | null; eta: number }> {
  const [position, load] = await Promise.all([
    ctx.queue.position(taskId, queueOf(operation)),
    ctx.queue.load(queueOf(operation)),
  ]);
  const eta = await ctx.eta.queuedEta(operation, position ?? load.waiting, load.workers);
  return { queuePosition: position, eta };
}
