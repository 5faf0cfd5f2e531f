import { ResultVariantFormat } from '@lumina/shared';
import { eq, inArray, sql } from 'drizzle-orm';
import { tasks } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { errorFields } from '../logger.ts';
import { contentTypeOf, encodeVariant, makeThumbnail } from '../variants/index.ts';
import { applyWatermark } from '../watermark/index.ts';
import type { ServiceContext } from './context.ts';
import { parseServedKey, type ServedKey, thumbnailKeyOf, variantKeyOf } from './result-keys.ts';
import { plansApply, watermarksResults } from './team-plan.ts';

export interface ResultFile {
  readonly body: Uint8Array;
  readonly contentType: string;
  /** True when the free plan's mark was drawn on this copy; the stored result itself is always clean. */
  readonly watermarked: boolean;
}

type Ctx = Pick<ServiceContext, 'db' | 'store' | 'config' | 'log'>;

const expired = () =>
  new ApiError('result_expired', "This result passed its retention time (the task's expiresAt) and was deleted.");

/**
 * A result or thumbnail as it is served, for a key whose signed URL was verified. The result comes in the
 * encoding asked for (`format`; the stored one when unset): another encoding or the thumbnail is made from the
 * stored result on first request and kept, so each is made once. A free team's copy is then watermarked; the
 * plan is looked up at every request, so buying credits clears the mark from every past result, and nothing
 * kept in the store ever carries it. A signed key whose task is gone or past its expiry answers
 * `result_expired`: the signature proves the result once existed.
 */
export async function readResultFile({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: { key: string; format?: ResultVariantFormat | undefined; now?: Date };
}): Promise<ResultFile> {
  const served = parseServedKey(input.key);
  if (!served) throw new ApiError('not_found', 'No such file.');
  const task = await taskServing(ctx, served);
  if (!task) return untracked(ctx, input.key, served, input.format);
  if (task.expiresAt !== null && task.expiresAt <= (input.now ?? new Date())) throw expired();
  if (task.status !== 'COMPLETED' || (served.kind === 'result' && task.outputKey !== input.key)) {
    throw new ApiError('not_found', 'No such file.');
  }

  const format: ResultVariantFormat = served.kind === 'thumbnail' ? 'webp' : (input.format ?? served.storedFormat);
  let clean: Uint8Array;
  if (served.kind === 'thumbnail') {
    clean = await derived(ctx, served.taskId, task.outputKey, thumbnailKeyOf(served.taskId), 'webp', makeThumbnail);
  } else if (format === served.storedFormat) {
    const object = await ctx.store.get(task.outputKey);
    if (!object) throw expired();
    clean = new Uint8Array(object.body);
  } else {
    clean = await derived(ctx, served.taskId, task.outputKey, variantKeyOf(served.taskId, format), format, (image) =>
      encodeVariant(image, format),
    );
  }

  if (!(await watermarksResults(ctx, task.teamId))) {
    return { body: clean, contentType: contentTypeOf(format), watermarked: false };
  }
  return { body: await applyWatermark(clean, format), contentType: contentTypeOf(format), watermarked: true };
}

/**
 * The task a served key belongs to. Duplicates of a task refer to its stored result, so several rows may hold
 * one key: the one kept longest answers (a duplicate outlives the task it repeats, whose row may be gone).
 */
async function taskServing(ctx: Ctx, served: ServedKey) {
  const outputKeys =
    served.kind === 'result'
      ? [`results/${served.taskId}.${served.storedFormat}`]
      : ResultVariantFormat.options.map((format) => `results/${served.taskId}.${format}`);
  const rows = await ctx.db
    .select({ teamId: tasks.teamId, status: tasks.status, outputKey: tasks.outputKey, expiresAt: tasks.expiresAt })
    .from(tasks)
    .where(inArray(tasks.outputKey, outputKeys))
    .orderBy(sql`${tasks.status} = 'COMPLETED' desc`, sql`${tasks.expiresAt} desc nulls first`)
    .limit(1);
  return rows[0];
}

/**
 * A signed key whose task row is gone: deleted by the retention job (or with its team). Without billing a
 * result object still stored is served as it is, as before tasks were looked up here; nothing else is.
 */
async function untracked(
  ctx: Ctx,
  key: string,
  served: ServedKey,
  format: ResultVariantFormat | undefined,
): Promise<ResultFile> {
  if (plansApply(ctx.config) || served.kind !== 'result' || (format ?? served.storedFormat) !== served.storedFormat) {
    throw expired();
  }
  const object = await ctx.store.get(key);
  if (!object) throw expired();
  return { body: new Uint8Array(object.body), contentType: object.contentType, watermarked: false };
}

/**
 * An object made from the stored result (a variant or the thumbnail): the kept copy, or a new one made and
 * kept now. Should the retention job have deleted the task meanwhile, the new copy is removed again.
 */
async function derived(
  ctx: Ctx,
  taskId: string,
  outputKey: string,
  key: string,
  format: ResultVariantFormat,
  make: (image: Uint8Array) => Promise<Uint8Array>,
): Promise<Uint8Array> {
  const kept = await ctx.store.get(key);
  if (kept) return new Uint8Array(kept.body);
  const original = await ctx.store.get(outputKey);
  if (!original) throw expired();
  const made = await make(new Uint8Array(original.body));
  await ctx.store.put(key, made, contentTypeOf(format));
  const [still] = await ctx.db.select({ id: tasks.id }).from(tasks).where(eq(tasks.outputKey, outputKey)).limit(1);
  if (!still) {
    await ctx.store.delete(key).catch((error: unknown) => {
      ctx.log.warn('could not remove a variant of a deleted task', { taskId, key, ...errorFields(error) });
    });
    throw expired();
  }
  return made;
}
