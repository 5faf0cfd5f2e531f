import { errorFields } from '@lumina/runtime';
import { ResultVariantFormat, thumbnailMaxSidePx } from '@lumina/shared';
import { eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { tasks } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import { contentTypeOf, encodeVariant, makeThumbnail } from '../../variants/index.ts';
import { applyWatermark } from '../../watermark/index.ts';
import type { ServiceContext } from '../context.ts';
import { plansApply, watermarksResults } from '../teams/team-plan.ts';
import { parseServedKey, type ServedKey, thumbnailKeyOf, variantKeyOf, watermarkedKeyOf } from './result-keys.ts';

export interface ResultFile {
  readonly body: Uint8Array;
  readonly contentType: string;
  /** True when the free plan's mark is drawn on this copy; the stored result itself is always clean. */
  readonly watermarked: boolean;
}

type Ctx = Pick<ServiceContext, 'db' | 'store' | 'config' | 'log' | 'imageWork'>;

const expired = () =>
  new ApiError('result_expired', "This result passed its retention time (the task's expiresAt) and was deleted.");

/** The size the worker recorded for the result (`tasks.result`), which weighs its image work before it is read. */
const RecordedSize = z.object({ result: z.object({ width: z.number().int(), height: z.number().int() }) });

/**
 * A result or thumbnail as it is served, for a key whose signed URL was verified. The result comes in the
 * encoding asked for (`format`; the stored one when unset). Every copy made from the stored result is made on
 * first request and kept, under `ctx.imageWork`'s bound: another encoding, the thumbnail, and for a free team
 * the watermarked copy of either, so a popular free result costs one encode, not one per request. The plan is
 * looked up at every request, so buying credits serves every past result clean (and `forgetWatermarkedCopies`
 * deletes the marked ones). A signed key whose task is gone or past its expiry answers `result_expired`: the
 * signature proves the result once existed.
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
  const recorded = RecordedSize.safeParse(task.result);
  // Unknown sizes weigh as much as the bound allows, so such work runs alone.
  const resultPixels = recorded.success
    ? recorded.data.result.width * recorded.data.result.height
    : ctx.config.imageWork.maxPixels;
  const source: Source = { taskId: served.taskId, outputKey: task.outputKey, pixels: resultPixels };

  const format: ResultVariantFormat = served.kind === 'thumbnail' ? 'webp' : (input.format ?? served.storedFormat);
  const watermarked = await watermarksResults(ctx, task.teamId);
  let body: Uint8Array;
  if (served.kind === 'thumbnail') {
    const thumbnail = await derived(ctx, source, thumbnailKeyOf(served.taskId), 'webp', makeThumbnail);
    body = watermarked
      ? await derivedFrom(
          ctx,
          { ...source, pixels: thumbnailMaxSidePx * thumbnailMaxSidePx },
          watermarkedKeyOf(task.teamId, served.taskId, 'thumbnail'),
          'webp',
          async () => applyWatermark(thumbnail, 'webp'),
        )
      : thumbnail;
  } else if (watermarked) {
    // Marked straight from the stored result: a clean variant in between would be a second full encode.
    body = await derived(ctx, source, watermarkedKeyOf(task.teamId, served.taskId, format), format, (image) =>
      applyWatermark(image, format),
    );
  } else if (format === served.storedFormat) {
    const object = await ctx.store.get(task.outputKey);
    if (!object) throw expired();
    body = object.body;
  } else {
    body = await derived(ctx, source, variantKeyOf(served.taskId, format), format, (image) =>
      encodeVariant(image, format),
    );
  }
  return { body, contentType: contentTypeOf(format), watermarked };
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
    .select({
      teamId: tasks.teamId,
      status: tasks.status,
      outputKey: tasks.outputKey,
      expiresAt: tasks.expiresAt,
      result: tasks.result,
    })
    .from(tasks)
    .where(inArray(tasks.outputKey, outputKeys))
    .orderBy(sql`${tasks.status} = 'COMPLETED' desc`, sql`${tasks.expiresAt} desc nulls first`)
    .limit(1);
  return rows[0];
}

/** The stored result a copy is made from, and the pixels making it holds of `ctx.imageWork`'s bound. */
interface Source {
  readonly taskId: string;
  readonly outputKey: string;
  readonly pixels: number;
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
  return { body: object.body, contentType: object.contentType, watermarked: false };
}

/** An object made from the stored result by `make` (see `derivedFrom`). */
const derived = (
  ctx: Ctx,
  source: Source,
  key: string,
  format: ResultVariantFormat,
  make: (image: Uint8Array) => Promise<Uint8Array>,
): Promise<Uint8Array> =>
  derivedFrom(ctx, source, key, format, async () => {
    // Read inside the bound too: a large stored result is itself a share of the memory.
    const original = await ctx.store.get(source.outputKey);
    if (!original) throw expired();
    return make(original.body);
  });

/**
 * A copy kept under `key`: the kept one, or one made now by `make` under `ctx.imageWork` and kept. Should the
 * retention job have deleted the task meanwhile, the new copy is removed again.
 */
async function derivedFrom(
  ctx: Ctx,
  source: Source,
  key: string,
  format: ResultVariantFormat,
  make: () => Promise<Uint8Array>,
): Promise<Uint8Array> {
  const kept = await ctx.store.get(key);
  if (kept) return kept.body;
  return ctx.imageWork.run(key, source.pixels, async () => {
    // Another process, or a flight of this one that just ended, may have made it while this request waited.
    const keptMeanwhile = await ctx.store.get(key);
    if (keptMeanwhile) return keptMeanwhile.body;
    const made = await make();
    await ctx.store.put(key, made, contentTypeOf(format));
    // Duplicates share the stored result: the copy stays while any task still serves it.
    const [still] = await ctx.db
      .select({ id: tasks.id })
      .from(tasks)
      .where(eq(tasks.outputKey, source.outputKey))
      .limit(1);
    if (!still) {
      await ctx.store.delete(key).catch((error: unknown) => {
        ctx.log.warn('could not remove a copy made for a deleted task', {
          taskId: source.taskId,
          key,
          ...errorFields(error),
        });
      });
      throw expired();
    }
    return made;
  });
}
