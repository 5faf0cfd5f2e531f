import { ResultFormat } from '@lumina/shared';
import { eq } from 'drizzle-orm';
import { tasks } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { applyWatermark } from '../watermark/index.ts';
import type { ServiceContext } from './context.ts';
import { planOf, plansApply } from './team-plan.ts';

export interface ResultFile {
  readonly body: Uint8Array;
  readonly contentType: string;
  /** True when the free plan's mark was drawn on this copy; the stored result itself is always clean. */
  readonly watermarked: boolean;
}

const resultKeyPattern = /^results\/(task_[A-Za-z0-9]+)\.([a-z0-9]+)$/;

/**
 * A result as it is served: the stored bytes for a paid team, or a watermarked copy for a free one. The plan
 * is looked up through the task that produced the result at every request, so buying credits clears the mark
 * from every past result, and the stored object never carries it.
 */
export async function readResultFile({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db' | 'store' | 'config'>;
  input: { key: string };
}): Promise<ResultFile> {
  if (!plansApply(ctx.config)) {
    // Without billing every result is served as stored, with no need to know whose it is.
    const object = await ctx.store.get(input.key);
    if (!object) throw new ApiError('not_found', 'No such file.');
    return { body: new Uint8Array(object.body), contentType: object.contentType, watermarked: false };
  }
  const match = input.key.match(resultKeyPattern);
  const format = ResultFormat.safeParse(match?.[2]);
  if (!match?.[1] || !format.success) throw new ApiError('not_found', 'No such file.');
  const [task] = await ctx.db
    .select({ teamId: tasks.teamId, outputKey: tasks.outputKey })
    .from(tasks)
    .where(eq(tasks.id, match[1]));
  if (!task || task.outputKey !== input.key) throw new ApiError('not_found', 'No such file.');
  const object = await ctx.store.get(input.key);
  if (!object) throw new ApiError('not_found', 'No such file.');
  const clean = new Uint8Array(object.body);
  if ((await planOf(ctx.db, task.teamId)) === 'paid') {
    return { body: clean, contentType: object.contentType, watermarked: false };
  }
  return { body: await applyWatermark(clean, format.data), contentType: object.contentType, watermarked: true };
}
