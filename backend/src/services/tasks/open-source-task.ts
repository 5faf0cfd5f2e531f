import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { tasks } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import type { ServiceContext } from '../context.ts';

export interface SourceTask {
  readonly taskId: string;
  /**
   * What stands for the input in a chained step's `requestHash`: the source's own `requestHash`, so the same
   * step on the same source is the same work. A magic edit answers differently each time, so its task id is
   * mixed in: an upscale of take 2 is not the upscale of take 1.
   */
  readonly inputIdentity: string;
  /** The file name the chain started from, so every step of it is listed under that name. */
  readonly fileName: string | null;
  /** The source's stored (always clean) result, once it is checked to be completed and kept. */
  readResult(now: Date): Promise<Uint8Array>;
}

/**
 * The task named by `sourceTaskId` on a submit, whose result becomes the new task's input. Another team's task
 * answers exactly like a missing one. Reading its result is separate, so that an idempotent replay is answered
 * before a source that expired since would be refused.
 */
export async function openSourceTask({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db' | 'store'>;
  input: { teamId: string; taskId: string };
}): Promise<SourceTask> {
  const [row] = await ctx.db
    .select()
    .from(tasks)
    .where(and(eq(tasks.id, input.taskId), eq(tasks.teamId, input.teamId)));
  if (!row) throw new ApiError('not_found', 'No such task (sourceTaskId).', { sourceTaskId: input.taskId });
  const identity = row.operation === 'magic-edit' ? `${row.requestHash}:${row.id}` : row.requestHash;
  return {
    taskId: row.id,
    fileName: row.fileName,
    inputIdentity: createHash('sha256').update(`source:${identity}`).digest('hex'),
    async readResult(now) {
      if (row.status !== 'COMPLETED') {
        throw new ApiError(
          'source_not_completed',
          `The source task is ${row.status.toLowerCase()}; only a completed task's result can be processed further.`,
          { sourceTaskId: row.id, status: row.status },
        );
      }
      const expired = new ApiError(
        'result_expired',
        "The source task's result passed its retention time and was deleted; upload the image again.",
        { sourceTaskId: row.id },
      );
      if (row.expiresAt !== null && row.expiresAt <= now) throw expired;
      const stored = await ctx.store.get(row.outputKey);
      if (!stored) throw expired;
      return stored.body;
    },
  };
}
