import { createHash } from 'node:crypto';
import { errorFields } from '@lumina/runtime';
import type { OperationRequest, TaskJob, TaskSource } from '@lumina/shared';
import { and, eq } from 'drizzle-orm';
import { isUniqueViolation } from '../../db/is-unique-violation.ts';
import { tasks, teams } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { inspectImage } from '../../uploads/inspect-image.ts';
import { ensureMonthlyAllowance } from '../billing/ensure-monthly-allowance.ts';
import { postLedgerEntry } from '../billing/ledger.ts';
import { addMemberSpend, checkSpendingCap } from '../billing/spending-cap.ts';
import type { ServiceContext } from '../context.ts';
import { openSourceTask } from './open-source-task.ts';
import { priceTask } from './price-task.ts';
import { reuseCompletedTask } from './reuse-completed-task.ts';

/** The image to work on: uploaded bytes, or a completed task of the same team whose result is taken as input. */
export type TaskInputImage =
  | { readonly image: Uint8Array; readonly sourceTaskId?: undefined }
  | { readonly sourceTaskId: string; readonly image?: undefined };

export type SubmitTaskInput = TaskInputImage & {
  readonly teamId: string;
  readonly request: OperationRequest;
  /** remove-background: an image to composite behind the subject (`bg_image_file`), checked like the input. */
  readonly background?: Uint8Array | undefined;
  readonly idempotencyKey?: string | undefined;
  /** The person submitting (a browser or plugin session); their monthly spending cap applies. Null for API keys. */
  readonly submittedByUserId?: string | null | undefined;
  /** The submitting request's id; it travels with the job into the worker's logs. */
  readonly requestId?: string | undefined;
  /** The upload's (sanitised) file name; a chained step without one takes its source's. */
  readonly fileName?: string | null | undefined;
  /** Who submits (API key, CLI, plugin, studio), for the history. */
  readonly source?: TaskSource | null | undefined;
};

export interface SubmitTaskOutput {
  readonly taskId: string;
  /** True when an `Idempotency-Key` matched an earlier submit: nothing new was stored or charged. */
  readonly replayed: boolean;
  /** Set when an identical completed task was reused: the new task is already completed and cost nothing. */
  readonly duplicateOf?: string;
  readonly creditsCharged: number;
  readonly creditsRemaining: number;
}

/**
 * Accepts one image for processing: an upload, or the result of a completed task (`sourceTaskId`), which is
 * then treated exactly like an upload of those bytes except that the source stands for it in `requestHash`.
 * The image is inspected (type sniffed, pixel limits, full decode) before
 * anything is stored; then the input is stored and, in one transaction, the credits are reserved and the task
 * created. Any refusal after the store removes the stored input, so a refused upload leaves nothing behind.
 * The job is enqueued after commit; if Redis is unreachable the reconciler enqueues it later.
 */
export async function submitTask({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: SubmitTaskInput;
}): Promise<SubmitTaskOutput> {
  if (input.request.operation === 'magic-edit' && ctx.config.gemini.apiKey === undefined) {
    throw new ApiError('operation_unavailable', 'Magic edit is not configured on this server; nothing was charged.', {
      operation: 'magic-edit',
    });
  }
  const origin =
    input.image === undefined
      ? {
          kind: 'source' as const,
          source: await openSourceTask({ ctx, input: { teamId: input.teamId, taskId: input.sourceTaskId } }),
        }
      : { kind: 'upload' as const, image: input.image };
  if (input.background) refuseBackgroundMisuse(input.request);
  const requestHash = createHash('sha256')
    .update(origin.kind === 'source' ? origin.source.inputIdentity : origin.image)
    .update(JSON.stringify(input.request))
    // Only present with a background, so the hashes of every other request stay what they were.
    .update(input.background ? `background:${createHash('sha256').update(input.background).digest('hex')}` : '')
    .digest('hex');

  if (input.idempotencyKey) {
    const replay = await findReplay(ctx, input.teamId, input.idempotencyKey, requestHash);
    if (replay) return replay;
  }
  const image = origin.kind === 'source' ? await origin.source.readResult(new Date()) : origin.image;
  const sourceTaskId = origin.kind === 'source' ? origin.source.taskId : null;
  const recorded = {
    fileName: input.fileName ?? (origin.kind === 'source' ? origin.source.fileName : null),
    sourceKind: input.source?.kind ?? null,
    sourceApiKeyId: input.source?.apiKeyId ?? null,
    sourceLabel: input.source?.label ?? null,
  };
  const reused = await reuseCompletedTask({
    ctx,
    input: {
      teamId: input.teamId,
      request: input.request,
      sourceTaskId,
      requestHash,
      idempotencyKey: input.idempotencyKey,
      submittedByUserId: input.submittedByUserId ?? null,
      recorded,
    },
  });
  if (reused) {
    const { taskId, duplicateOf, creditsRemaining } = reused;
    return { taskId, replayed: false, duplicateOf, creditsCharged: 0, creditsRemaining };
  }

  const submitter = input.submittedByUserId ?? null;
  await ensureMonthlyAllowance({ ctx, input: { teamId: input.teamId } });
  let cost = 0;
  // Priced from the header alone and refused before the full decode, so a team that cannot pay cannot make this
  // process decode 64 MP for it. The checks that count are repeated under lock below.
  const inspected = await inspectImage(image, ctx.config.limits, async (header) => {
    cost = priceTask(ctx.config, input.request, header).credits;
    if (submitter !== null) {
      await checkSpendingCap(ctx.db, {
        teamId: input.teamId,
        userId: submitter,
        credits: cost,
        now: new Date(),
        lock: false,
      });
    }
    const [team] = await ctx.db.select({ balance: teams.balance }).from(teams).where(eq(teams.id, input.teamId));
    if ((team?.balance ?? 0) < cost) {
      throw new ApiError('insufficient_credits', 'The team does not have enough credits for this operation.');
    }
  });
  // The second file gets every check the first one gets, after the credit check and before
  // anything is stored or charged.
  const background = input.background
    ? { bytes: input.background, inspected: await inspectImage(input.background, ctx.config.limits) }
    : null;
  const taskId = newId('task');
  const inputKey = `inputs/${taskId}`;
  const format = input.request.params.format;
  const outputKey = `results/${taskId}.${format}`;

  const backgroundKey = background ? `inputs/${taskId}-background` : null;
  await ctx.store.put(inputKey, image, `image/${inspected.format}`);
  let remaining: number;
  try {
    if (background && backgroundKey) {
      await ctx.store.put(backgroundKey, background.bytes, `image/${background.inspected.format}`);
    }
    remaining = await ctx.db.transaction(async (tx) => {
      const submittedAt = new Date();
      if (submitter !== null) {
        await checkSpendingCap(tx, {
          teamId: input.teamId,
          userId: submitter,
          credits: cost,
          now: submittedAt,
          lock: true,
        });
        await addMemberSpend(tx, { teamId: input.teamId, userId: submitter, submittedAt, credits: cost });
      }
      await tx.insert(tasks).values({
        id: taskId,
        teamId: input.teamId,
        status: 'QUEUED',
        operation: input.request.operation,
        params: input.request.params,
        inputKey,
        outputKey,
        inputSha256: createHash('sha256').update(image).digest('hex'),
        inputFormat: inspected.format,
        inputWidth: inspected.width,
        inputHeight: inspected.height,
        creditsReserved: cost,
        idempotencyKey: input.idempotencyKey ?? null,
        requestHash,
        enqueueCount: 1,
        deadlineAt: new Date(submittedAt.getTime() + ctx.config.taskDeadlineSeconds * 1000),
        submittedByUserId: submitter,
        // The month the member's spend was counted in, which a release gives back to.
        createdAt: submittedAt,
        sourceTaskId,
        backgroundKey,
        ...recorded,
      });
      const team = await postLedgerEntry(tx, {
        teamId: input.teamId,
        taskId,
        kind: 'reserve',
        balanceDelta: -cost,
        reservedDelta: cost,
      });
      return team.balance;
    });
  } catch (error) {
    const stored = backgroundKey ? [inputKey, backgroundKey] : [inputKey];
    await Promise.all(stored.map((key) => ctx.store.delete(key))).catch((cleanupError: unknown) => {
      ctx.log.error('could not remove the input of a refused submit', { inputKey, ...errorFields(cleanupError) });
    });
    // Two submits raced with the same Idempotency-Key: the loser answers with the winner's task.
    if (input.idempotencyKey && isUniqueViolation(error)) {
      const replay = await findReplay(ctx, input.teamId, input.idempotencyKey, requestHash);
      if (replay) return replay;
    }
    throw error;
  }

  const job: TaskJob = {
    taskId,
    request: input.request,
    inputKey,
    outputKey,
    ...(backgroundKey ? { backgroundKey } : {}),
    ...(input.requestId ? { requestId: input.requestId } : {}),
  };
  try {
    await ctx.queue.enqueue(job);
  } catch (error) {
    ctx.log.warn('enqueue failed; the reconciler will enqueue the task', {
      taskId,
      requestId: input.requestId,
      ...errorFields(error),
    });
  }
  ctx.log.info('task queued', {
    taskId,
    requestId: input.requestId,
    operation: input.request.operation,
    credits: cost,
  });
  ctx.updates.publish(taskId);
  return { taskId, replayed: false, creditsCharged: cost, creditsRemaining: remaining };
}

async function findReplay(
  ctx: ServiceContext,
  teamId: string,
  idempotencyKey: string,
  requestHash: string,
): Promise<SubmitTaskOutput | null> {
  const [existing] = await ctx.db
    .select({ id: tasks.id, requestHash: tasks.requestHash })
    .from(tasks)
    .where(and(eq(tasks.teamId, teamId), eq(tasks.idempotencyKey, idempotencyKey)));
  if (!existing) return null;
  if (existing.requestHash !== requestHash) {
    throw new ApiError(
      'idempotency_key_reused',
      'This Idempotency-Key was already used with a different image or parameters.',
      { taskId: existing.id },
    );
  }
  const [team] = await ctx.db.select({ balance: teams.balance }).from(teams).where(eq(teams.id, teamId));
  return { taskId: existing.id, replayed: true, creditsCharged: 0, creditsRemaining: team?.balance ?? 0 };
}

/** A background image goes behind a cut-out: other operations, a mask, or a colour fill have no place for it. */
function refuseBackgroundMisuse(request: OperationRequest): void {
  const refuse = (why: string) => {
    throw new ApiError('invalid_request', `bg_image_file ${why}; nothing was charged.`, { field: 'bg_image_file' });
  };
  if (request.operation !== 'remove-background') refuse('is only for remove-background');
  else if (request.params.channels === 'alpha') refuse('cannot be combined with channels=alpha');
  else if (request.params.bg_color !== undefined) refuse('cannot be combined with bg_color: choose one background');
}
