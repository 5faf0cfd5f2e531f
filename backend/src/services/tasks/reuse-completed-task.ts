import { JobResult, type OperationRequest } from '@lumina/shared';
import { and, desc, eq, gt, isNull, or } from 'drizzle-orm';
import { isUniqueViolation } from '../../db/is-unique-violation.ts';
import { tasks, teams } from '../../db/schema.ts';
import { newId } from '../../ids.ts';
import type { ServiceContext } from '../context.ts';
import { planOf } from '../teams/team-plan.ts';
import { expiryAfter, retentionDaysOf } from './retention.ts';

export interface ReuseCompletedTaskInput {
  readonly teamId: string;
  readonly request: OperationRequest;
  /** The task whose result is the input, for a chained step; null for an upload. */
  readonly sourceTaskId: string | null;
  /** SHA-256 over the image bytes and the request (operation and parameters), as `submitTask` computes it. */
  readonly requestHash: string;
  readonly idempotencyKey?: string | undefined;
  readonly submittedByUserId: string | null;
  /** The new task's file name and source, recorded as on any submit. */
  readonly recorded?: Pick<typeof tasks.$inferInsert, 'fileName' | 'sourceKind' | 'sourceApiKeyId' | 'sourceLabel'>;
}

/**
 * Identical work is not done twice: when the team already has a completed task with the same input bytes,
 * operation and parameters whose result is still kept, a new task is recorded as completed at once, referring
 * to that task's stored input and result, and nothing is queued or charged (nothing was computed). Nothing is
 * copied either: the retention job deletes an object only once no task refers to it any more, and the source
 * row is locked while the new one is written, so the retention job cannot take the objects away in between.
 * Magic edits are always run again: the model answers differently each time, and asking again is how a person
 * gets another take. Returns null when there is nothing to reuse (or the earlier result vanished meanwhile).
 */
export async function reuseCompletedTask({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: ReuseCompletedTaskInput;
}): Promise<{ taskId: string; duplicateOf: string; creditsRemaining: number } | null> {
  if (input.request.operation === 'magic-edit') return null;
  const now = new Date();
  const [source] = await ctx.db
    .select()
    .from(tasks)
    .where(
      and(
        eq(tasks.teamId, input.teamId),
        eq(tasks.requestHash, input.requestHash),
        eq(tasks.status, 'COMPLETED'),
        or(isNull(tasks.expiresAt), gt(tasks.expiresAt, now)),
      ),
    )
    .orderBy(desc(tasks.finishedAt))
    .limit(1);
  const report = JobResult.safeParse(source?.result);
  if (!source || !report.success) return null;
  if (!(await ctx.store.get(source.outputKey))) return null;

  const taskId = newId('task');
  const expiresAt = expiryAfter(now, retentionDaysOf(ctx.config, await planOf(ctx.db, input.teamId)));
  try {
    const inserted = await ctx.db.transaction(async (tx) => {
      // Held until commit: the retention job skips a locked row, and one it already claimed is gone here.
      const [still] = await tx
        .select({ id: tasks.id })
        .from(tasks)
        .where(
          and(
            eq(tasks.id, source.id),
            eq(tasks.status, 'COMPLETED'),
            or(isNull(tasks.expiresAt), gt(tasks.expiresAt, new Date())),
          ),
        )
        .for('share');
      if (!still) return false;
      await tx.insert(tasks).values({
        id: taskId,
        teamId: input.teamId,
        status: 'COMPLETED',
        operation: source.operation,
        params: source.params,
        inputKey: source.inputKey,
        outputKey: source.outputKey,
        inputSha256: source.inputSha256,
        inputFormat: source.inputFormat,
        inputWidth: source.inputWidth,
        inputHeight: source.inputHeight,
        creditsReserved: 0,
        creditsDeducted: 0,
        idempotencyKey: input.idempotencyKey ?? null,
        requestHash: input.requestHash,
        enqueueCount: 0,
        result: { ...report.data },
        startedAt: now,
        finishedAt: now,
        deadlineAt: now,
        submittedByUserId: input.submittedByUserId,
        sourceTaskId: input.sourceTaskId,
        expiresAt,
        ...input.recorded,
      });
      return true;
    });
    if (!inserted) return null;
  } catch (error) {
    // The same Idempotency-Key won a race meanwhile: the normal path answers with that task.
    if (input.idempotencyKey && isUniqueViolation(error)) return null;
    throw error;
  }
  ctx.log.info('task answered from an identical completed task', { taskId, duplicateOf: source.id });
  ctx.updates.publish(taskId);
  const [team] = await ctx.db.select({ balance: teams.balance }).from(teams).where(eq(teams.id, input.teamId));
  return { taskId, duplicateOf: source.id, creditsRemaining: team?.balance ?? 0 };
}
