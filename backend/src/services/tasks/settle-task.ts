import { errorFields } from '@lumina/runtime';
import type { JobResult, TaskErrorCode } from '@lumina/shared';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { tasks } from '../../db/schema.ts';
import { postLedgerEntry } from '../billing/ledger.ts';
import { addMemberSpend } from '../billing/spending-cap.ts';
import type { ServiceContext } from '../context.ts';
import { enqueueWebhookDeliveries, recordWebhookDeliveries } from '../webhooks/record-webhook-deliveries.ts';
import { taskWebhookPayload } from '../webhooks/task-webhook-payload.ts';
import { expiresAtOnSettle } from './retention.ts';

export type Outcome =
  | { readonly kind: 'completed'; readonly result: JobResult }
  | { readonly kind: 'failed'; readonly code: TaskErrorCode; readonly message: string }
  | { readonly kind: 'canceled' };

const openStatuses = ['QUEUED', 'PROCESSING'] as const;

/**
 * Finalises a task exactly once: its terminal state and the matching ledger row (capture on completion,
 * release otherwise) are written in one transaction, and only while the task is still open. A duplicate
 * completion, a late worker after a cancel, or a reconciler racing a queue event therefore changes nothing.
 * Returns whether this call was the one that settled the task.
 */
export async function settleTask({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db' | 'store' | 'updates' | 'log' | 'metrics' | 'config' | 'webhooks'>;
  input: { taskId: string; outcome: Outcome; teamId?: string };
}): Promise<boolean> {
  const { taskId, outcome } = input;
  const settled = await ctx.db.transaction(async (tx) => {
    const now = new Date();
    const [task] = await tx
      .update(tasks)
      .set({
        status: outcome.kind === 'completed' ? 'COMPLETED' : outcome.kind === 'failed' ? 'FAILED' : 'CANCELED',
        creditsDeducted: outcome.kind === 'completed' ? sql`${tasks.creditsReserved}` : 0,
        result: outcome.kind === 'completed' ? { ...outcome.result } : null,
        errorCode: outcome.kind === 'failed' ? outcome.code : outcome.kind === 'canceled' ? 'canceled' : null,
        errorMessage:
          outcome.kind === 'failed' ? outcome.message : outcome.kind === 'canceled' ? 'Canceled on request.' : null,
        finishedAt: now,
        startedAt: sql`coalesce(${tasks.startedAt}, ${now.toISOString()}::timestamptz)`,
        // Every settled task expires, failed ones too: their inputs must not be kept longer than results.
        expiresAt: expiresAtOnSettle(ctx.config, now),
      })
      .where(
        and(
          eq(tasks.id, taskId),
          inArray(tasks.status, [...openStatuses]),
          ...(input.teamId ? [eq(tasks.teamId, input.teamId)] : []),
        ),
      )
      .returning({
        teamId: tasks.teamId,
        credits: tasks.creditsReserved,
        operation: tasks.operation,
        submittedByUserId: tasks.submittedByUserId,
        createdAt: tasks.createdAt,
      });
    if (!task) return null;
    if (outcome.kind !== 'completed' && task.submittedByUserId !== null) {
      await addMemberSpend(tx, {
        teamId: task.teamId,
        userId: task.submittedByUserId,
        submittedAt: task.createdAt,
        credits: -task.credits,
      });
    }
    await postLedgerEntry(tx, {
      teamId: task.teamId,
      taskId,
      kind: outcome.kind === 'completed' ? 'capture' : 'release',
      balanceDelta: outcome.kind === 'completed' ? 0 : task.credits,
      reservedDelta: -task.credits,
    });
    // The webhook deliveries commit with the settlement, so a crash can neither lose nor double an event.
    const deliveryIds =
      outcome.kind === 'canceled'
        ? []
        : await recordWebhookDeliveries(tx, {
            teamId: task.teamId,
            now,
            firstDelayMs: ctx.config.webhooks.retryScheduleMs[0] ?? 0,
            payload: taskWebhookPayload({ taskId, operation: task.operation, credits: task.credits, now, outcome }),
          });
    return { ...task, deliveryIds };
  });

  if (settled) {
    ctx.updates.publish(taskId);
    ctx.metrics.tasksSettled.inc({ operation: settled.operation, outcome: outcome.kind });
    if (outcome.kind === 'completed')
      ctx.metrics.creditsCaptured.inc({ operation: settled.operation }, settled.credits);
    await enqueueWebhookDeliveries(ctx, settled.deliveryIds);
  } else if (outcome.kind === 'completed') {
    await removeOrphanedResult(ctx, taskId, outcome.result.outputKey);
  }
  return settled !== null;
}

/** A worker finished a task that had already been canceled or failed: its result must not linger unpaid. */
async function removeOrphanedResult(
  ctx: Pick<ServiceContext, 'db' | 'store' | 'log'>,
  taskId: string,
  outputKey: string,
): Promise<void> {
  const [task] = await ctx.db.select({ status: tasks.status }).from(tasks).where(eq(tasks.id, taskId));
  if (task && task.status !== 'COMPLETED') {
    await ctx.store.delete(outputKey).catch((error: unknown) => {
      ctx.log.warn('could not remove the result of a closed task', { taskId, ...errorFields(error) });
    });
  }
}
