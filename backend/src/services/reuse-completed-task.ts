import { JobResult, type OperationRequest } from '@lumina/shared';
import { and, desc, eq, gt, isNull, or } from 'drizzle-orm';
import { isUniqueViolation } from '../db/is-unique-violation.ts';
import { tasks, teams } from '../db/schema.ts';
import { newId } from '../ids.ts';
import { errorFields } from '../logger.ts';
import type { ServiceContext } from './context.ts';
import { expiryAfter, retentionDaysOf } from './retention.ts';
import { planOf } from './team-plan.ts';

export interface ReuseCompletedTaskInput {
  readonly teamId: string;
  readonly request: OperationRequest;
  readonly image: Uint8Array;
  /** The task whose result is `image`, for a chained step; null for an upload. */
  readonly sourceTaskId: string | null;
  /** SHA-256 over the image bytes and the request (operation and parameters), as `submitTask` computes it. */
  readonly requestHash: string;
  readonly idempotencyKey?: string | undefined;
  readonly submittedByUserId: string | null;
}

/**
 * Identical work is not done twice: when the team already has a completed task with the same input bytes,
 * operation and parameters whose result is still kept, a new task is recorded as completed at once with a
 * copy of that result, and nothing is queued or charged (nothing was computed). The copy gives the new task
 * objects of its own, so each task's retention deletes only what is its own. Magic edits are always run again:
 * the model answers differently each time, and asking again is how a person gets another take.
 * Returns null when there is nothing to reuse (or the earlier result vanished meanwhile).
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
  const stored = await ctx.store.get(source.outputKey);
  if (!stored) return null;

  const taskId = newId('task');
  const inputKey = `inputs/${taskId}`;
  const outputKey = `results/${taskId}.${source.outputKey.split('.').pop() ?? 'png'}`;
  await ctx.store.put(inputKey, input.image, `image/${source.inputFormat}`);
  await ctx.store.put(outputKey, stored.body, stored.contentType);
  const expiresAt = expiryAfter(now, retentionDaysOf(ctx.config, await planOf(ctx.db, input.teamId)));
  try {
    await ctx.db.insert(tasks).values({
      id: taskId,
      teamId: input.teamId,
      status: 'COMPLETED',
      operation: source.operation,
      params: source.params,
      inputKey,
      outputKey,
      inputSha256: source.inputSha256,
      inputFormat: source.inputFormat,
      inputWidth: source.inputWidth,
      inputHeight: source.inputHeight,
      creditsReserved: 0,
      creditsDeducted: 0,
      idempotencyKey: input.idempotencyKey ?? null,
      requestHash: input.requestHash,
      enqueueCount: 0,
      result: { ...report.data, outputKey },
      startedAt: now,
      finishedAt: now,
      deadlineAt: now,
      submittedByUserId: input.submittedByUserId,
      sourceTaskId: input.sourceTaskId,
      expiresAt,
    });
  } catch (error) {
    await Promise.all([ctx.store.delete(inputKey), ctx.store.delete(outputKey)]).catch((cleanupError: unknown) => {
      ctx.log.error('could not remove the copies of a refused duplicate', { taskId, ...errorFields(cleanupError) });
    });
    // The same Idempotency-Key won a race meanwhile: the normal path answers with that task.
    if (input.idempotencyKey && isUniqueViolation(error)) return null;
    throw error;
  }
  ctx.log.info('task answered from an identical completed task', { taskId, duplicateOf: source.id });
  ctx.updates.publish(taskId);
  const [team] = await ctx.db.select({ balance: teams.balance }).from(teams).where(eq(teams.id, input.teamId));
  return { taskId, duplicateOf: source.id, creditsRemaining: team?.balance ?? 0 };
}
