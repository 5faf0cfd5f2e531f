import type { RemoveBackgroundParams, TaskSource } from '@lumina/shared';
import { eq } from 'drizzle-orm';
import { tasks } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import type { ServiceContext } from '../context.ts';
import { cancelTask } from './cancel-task.ts';
import { readResultFile } from './read-result-file.ts';
import { submitTask } from './submit-task.ts';
import { waitForTask } from './wait-for-task.ts';

export interface RemoveBackgroundNowOutput {
  readonly taskId: string;
  readonly png: Uint8Array;
  readonly creditsCharged: number;
}

/**
 * A background removal answered in the same request (the remove.bg-compatible endpoint): the usual task,
 * waited for. A task that fails answers with its reason; one that does not finish within `timeoutMs` is
 * canceled, so nothing is charged for a result the caller never gets.
 */
export async function removeBackgroundNow({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: {
    teamId: string;
    image: Uint8Array;
    /** `bg_image_file`: composited behind the subject. */
    background?: Uint8Array | undefined;
    params: Omit<RemoveBackgroundParams, 'format'>;
    /** The upload's sanitised file name and who sent it, for the history. */
    fileName?: string | null | undefined;
    source?: TaskSource | undefined;
    requestId?: string;
    timeoutMs: number;
    signal?: AbortSignal;
  };
}): Promise<RemoveBackgroundNowOutput> {
  const { teamId } = input;
  const submitted = await submitTask({
    ctx,
    input: {
      teamId,
      request: { operation: 'remove-background', params: { ...input.params, format: 'png' } },
      image: input.image,
      background: input.background,
      fileName: input.fileName,
      source: input.source,
      requestId: input.requestId,
    },
  });
  const taskId = submitted.taskId;
  const view = await waitForTask({
    ctx,
    input: { teamId, taskId, timeoutMs: input.timeoutMs, ...(input.signal ? { signal: input.signal } : {}) },
  });
  if (view.status === 'QUEUED' || view.status === 'PROCESSING') {
    await cancelTask({ ctx, input: { teamId, taskId } }).catch(() => undefined);
    throw new ApiError(
      'processing_timeout',
      `The result did not come within ${input.timeoutMs / 1000} s; nothing was charged.`,
      {
        taskId,
      },
    );
  }
  if (view.status !== 'COMPLETED') {
    if (view.error?.code === 'no_subject') {
      throw new ApiError('unknown_foreground', 'Could not identify a foreground in the image.', { taskId });
    }
    throw new ApiError('processing_failed', view.error?.message ?? 'The removal failed.', {
      taskId,
      taskError: view.error?.code ?? view.status,
    });
  }
  const [row] = await ctx.db.select({ outputKey: tasks.outputKey }).from(tasks).where(eq(tasks.id, taskId));
  if (!row) throw new ApiError('processing_failed', 'The task vanished.', { taskId });
  // Served like any result: a free team's copy carries the watermark.
  const result = await readResultFile({ ctx, input: { key: row.outputKey } });
  return { taskId, png: result.body, creditsCharged: view.creditsDeducted };
}
