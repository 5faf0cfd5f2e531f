import type { ObjectStore } from '@lumina/runtime';
import {
  contentTypeOf,
  formatFailedReason,
  GpuJobResult,
  type ResultInfo,
  type StageTimings,
  type TaskErrorCode,
  TaskJob,
  type UpscaleParams,
} from '@lumina/shared';
import { type Job, UnrecoverableError } from 'bullmq';
import sharp from 'sharp';
import { z } from 'zod';
import type { ModelSession } from './inference/load-model-session.ts';
import type { UpscaleSession } from './inference/load-upscale-session.ts';
import { PipelineError } from './pipeline/pipeline-error.ts';
import { type PipelineStage, removeBackground } from './pipeline/remove-background.ts';
import { upscaleImage } from './pipeline/upscale-image.ts';
import type { PixelBudget } from './pixel-budget.ts';

export interface GpuJobProcessorDeps {
  readonly store: ObjectStore;
  /** The background-removal model, loaded and warmed up at start. */
  readonly removeBackground: ModelSession;
  /** The upscaler for a task's scale and size: loaded on first use, then kept for the process. */
  readonly upscaler: (params: UpscaleParams) => Promise<UpscaleSession>;
  /** Bounds the decoded pixels of the jobs in flight; unbounded when absent. */
  readonly pixels?: PixelBudget;
  /** Whether the backend asked to cancel a task before this worker took its job. */
  readonly cancelRequested?: (taskId: string) => Promise<boolean>;
  /** Input pixels per upscale tile side (per execution provider). */
  readonly upscaleTilePx?: number;
}

/** Job progress (0–100) at each boundary; BullMQ marks 100 by completing the job. */
const progressAfterInput = 10;
const progressAt: Record<PipelineStage, number> = { preprocessed: 30, inferred: 80, encoded: 95 };

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** A failure retrying cannot fix: BullMQ fails the job at once, whatever attempts are left. */
const unrecoverable = (code: TaskErrorCode, message: string) =>
  new UnrecoverableError(formatFailedReason(code, message));
/** A failure another attempt may not hit (a storage outage, a provider hiccup): BullMQ retries it. */
const retryable = (code: TaskErrorCode, message: string) => new Error(formatFailedReason(code, message));

/**
 * The BullMQ processor for the gpu queue. Every failure it throws carries `code: message` from
 * `formatFailedReason`, so the backend maps it to a task error without guessing.
 */
export function createGpuJobProcessor({
  store,
  removeBackground: maskSession,
  upscaler,
  pixels,
  cancelRequested,
  upscaleTilePx,
}: GpuJobProcessorDeps) {
  return async (job: Job<unknown, GpuJobResult>, _token?: string, signal?: AbortSignal): Promise<GpuJobResult> => {
    try {
      return await processJob(job, signal);
    } catch (error) {
      // However far the job got, a canceled one fails as `canceled`, once: the backend then settles it CANCELED.
      if (signal?.aborted) throw unrecoverable('canceled', `job ${job.id} was canceled on request`);
      throw error;
    }
  };

  async function processJob(job: Job<unknown, GpuJobResult>, signal: AbortSignal | undefined): Promise<GpuJobResult> {
    const parsed = TaskJob.safeParse(job.data);
    if (!parsed.success) {
      throw unrecoverable('internal_error', `job ${job.id} has an invalid payload: ${z.prettifyError(parsed.error)}`);
    }
    const { inputKey, backgroundKey, request, taskId } = parsed.data;
    if (request.operation === 'magic-edit') {
      throw unrecoverable('internal_error', `job ${job.id} is a magic edit, which the edit worker runs`);
    }
    if (await cancelRequested?.(taskId)) throw unrecoverable('canceled', `task ${taskId} was canceled before it ran`);

    let input: Awaited<ReturnType<ObjectStore['get']>>;
    try {
      input = await store.get(inputKey);
    } catch (error) {
      throw retryable('storage_failed', `could not read the input ${inputKey}: ${messageOf(error)}`);
    }
    if (input === null) throw unrecoverable('input_unreadable', `there is no input object at ${inputKey}`);
    let background: Awaited<ReturnType<ObjectStore['get']>> = null;
    if (backgroundKey !== undefined) {
      try {
        background = await store.get(backgroundKey);
      } catch (error) {
        throw retryable('storage_failed', `could not read the background ${backgroundKey}: ${messageOf(error)}`);
      }
      if (background === null) throw unrecoverable('input_unreadable', `there is no background at ${backgroundKey}`);
    }
    await job.updateProgress(progressAfterInput);

    // Held from before the decode until the result is stored; the header says the size without decoding.
    const lease = await pixels?.acquire(await pixelsOf(input.body, request), signal);
    try {
      return await runPipeline(job, input.body, background?.body, parsed.data, signal);
    } finally {
      lease?.release();
    }
  }

  async function runPipeline(
    job: Job<unknown, GpuJobResult>,
    bytes: Uint8Array,
    background: Uint8Array | undefined,
    { outputKey, request }: TaskJob,
    signal: AbortSignal | undefined,
  ): Promise<GpuJobResult> {
    if (request.operation === 'magic-edit') throw new Error('unreachable: magic edits are refused above');
    let output: { bytes: Buffer; info: ResultInfo; timings: StageTimings };
    let session: { model: { id: string }; executionProvider: GpuJobResult['executionProvider'] };
    try {
      if (request.operation === 'remove-background') {
        session = maskSession;
        output = await removeBackground({
          session: maskSession,
          bytes,
          params: request.params,
          background,
          onStage: (stage) => job.updateProgress(progressAt[stage]),
          ...(signal ? { signal } : {}),
        });
      } else {
        const upscale = await upscaler(request.params);
        session = upscale;
        // Tiles run from 10% to 90%; reported in steps of 5 so a large image does not flood Redis with events.
        let reported = progressAfterInput;
        output = await upscaleImage({
          session: upscale,
          bytes,
          scale: request.params.scale,
          format: request.params.format,
          ...(upscaleTilePx ? { tileSizePx: upscaleTilePx } : {}),
          ...(signal ? { signal } : {}),
          onTileDone: async (fraction) => {
            const progress = progressAfterInput + Math.floor((fraction * 80) / 5) * 5;
            if (progress > reported) {
              reported = progress;
              await job.updateProgress(progress);
            }
          },
        });
      }
    } catch (error) {
      signal?.throwIfAborted();
      if (error instanceof PipelineError) {
        throw error.retryable ? retryable(error.code, error.message) : unrecoverable(error.code, error.message);
      }
      throw retryable('internal_error', messageOf(error));
    }

    signal?.throwIfAborted();
    try {
      // The key is the backend's and deterministic, so a retry of this job overwrites rather than duplicates.
      await store.put(outputKey, output.bytes, contentTypeOf[output.info.format]);
    } catch (error) {
      throw retryable('storage_failed', `could not store the result ${outputKey}: ${messageOf(error)}`);
    }

    return GpuJobResult.parse({
      outputKey,
      result: output.info,
      model: session.model.id,
      executionProvider: session.executionProvider,
      timings: output.timings,
    });
  }
}

/**
 * The pixels a job will hold decoded at its largest: the input's, or an upscale's output. An unreadable header
 * counts as nothing here; the decode fails the job properly a moment later.
 */
async function pixelsOf(bytes: Uint8Array, request: TaskJob['request']): Promise<number> {
  const { width = 0, height = 0 } = await sharp(bytes)
    .metadata()
    .catch(() => ({ width: 0, height: 0 }));
  const scale = request.operation === 'upscale' ? request.params.scale : 1;
  return width * height * scale * scale;
}
