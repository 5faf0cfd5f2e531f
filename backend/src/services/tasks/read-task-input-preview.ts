import { and, eq } from 'drizzle-orm';
import sharp from 'sharp';
import { tasks } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import type { ServiceContext } from '../context.ts';

/** The longest side of a task's input preview, in pixels. */
export const inputPreviewMaxSidePx = 1600;

/**
 * A task's stored input as a WebP at most 1600 px a side, for the "before" side of the dashboard's task page: for
 * the task's own team only (inputs have no public link), and only while the task is kept. Decoded under the
 * same bound as every other image this process serves; the input passed the upload's pixel checks already.
 */
export async function readTaskInputPreview({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db' | 'store' | 'imageWork'>;
  input: { teamId: string; taskId: string; now?: Date };
}): Promise<Uint8Array> {
  const [row] = await ctx.db
    .select({
      inputKey: tasks.inputKey,
      width: tasks.inputWidth,
      height: tasks.inputHeight,
      expiresAt: tasks.expiresAt,
    })
    .from(tasks)
    .where(and(eq(tasks.id, input.taskId), eq(tasks.teamId, input.teamId)));
  const kept = row && (row.expiresAt === null || row.expiresAt > (input.now ?? new Date()));
  const stored = row && kept ? await ctx.store.get(row.inputKey) : null;
  if (!row || !stored) throw new ApiError('not_found', 'The input is no longer kept.');
  return ctx.imageWork.run(`before:${input.taskId}`, row.width * row.height, async () => {
    const webp = await sharp(stored.body, { limitInputPixels: false, pages: 1 })
      .rotate()
      .resize({ width: inputPreviewMaxSidePx, height: inputPreviewMaxSidePx, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 82 })
      .toBuffer();
    return new Uint8Array(webp);
  });
}
