import sharp from 'sharp';
import { settleTask } from '../../src/services/tasks/settle-task.ts';
import type { TestBackend } from './harness.ts';

/** What a worker stores for a cut-out: a 64×48 transparent PNG with a blue block in the middle. */
export const cutoutPng = (): Promise<Buffer> =>
  sharp({ create: { width: 64, height: 48, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .composite([
      { input: { create: { width: 32, height: 24, channels: 4, background: '#3366ff' } }, top: 12, left: 16 },
    ])
    .png()
    .toBuffer();

/**
 * Stores `png` as a queued task's result and settles the task COMPLETED, as a gpu-worker would: for tests of
 * what happens to results afterwards (serving, watermark, edge, retention) without running a model.
 */
export async function completeAsWorker(t: TestBackend, taskId: string, png: Buffer): Promise<{ outputKey: string }> {
  const row = await t.taskRow(taskId);
  if (!row) throw new Error(`no task row for ${taskId}`);
  await t.backend.ctx.store.put(row.outputKey, png, 'image/png');
  const meta = await sharp(png).metadata();
  await settleTask({
    ctx: t.backend.ctx,
    input: {
      taskId,
      outcome: {
        kind: 'completed',
        result: {
          outputKey: row.outputKey,
          result: { format: 'png', width: meta.width ?? 1, height: meta.height ?? 1, bytes: png.byteLength },
          model: 'test',
          executionProvider: 'cpu',
          timings: { decodeMs: 0, preprocessMs: 0, inferenceMs: 0, postprocessMs: 0, encodeMs: 0, totalMs: 0 },
        },
      },
    },
  });
  return { outputKey: row.outputKey };
}
