import type { ObjectStore } from '@lumina/backend/storage';
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
import { z } from 'zod';
import type { ModelSession } from './inference/load-model-session.ts';
import type { UpscaleSession } from './inference/load-upscale-session.ts';
import { PipelineError } from './pipeline/pipeline-error.ts';
import { type PipelineStage, removeBackground } from './pipeline/remove-background.ts';
import { upscaleImage } from './pipeline/upscale-image.ts';

export interface GpuJobProcessorDeps {
  readonly store: ObjectStore;
  /** The background-removal model, loaded and warmed up at start. */
  readonly removeBackground: ModelSession;
  /** The upscaler for a task's scale and size: loaded on first use, then kept for the process. */
  readonly upscaler: (params: UpscaleParams) => Promise<UpscaleSession>;
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
export function createGpuJobProcessor({ store, removeBackground: maskSession, upscaler }: GpuJobProcessorDeps) {
  return async (job: Job<unknown, GpuJobResult>): Promise<GpuJobResult> => {
    const parsed = TaskJob.safeParse(job.data);
    if (!parsed.success) {
      throw unrecoverable('internal_error', `job ${job.id} has an invalid payload: ${z.prettifyError(parsed.error)}`);
    }
    const { inputKey, outputKey, backgroundKey, request } = parsed.data;
    if (request.operation === 'magic-edit') {
      throw unrecoverable('internal_error', `job ${job.id} is a magic edit, which the edit worker runs`);
    }

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

    let output: { bytes: Buffer; info: ResultInfo; timings: StageTimings };
    let session: { model: { id: string }; executionProvider: GpuJobResult['executionProvider'] };
    try {
      if (request.operation === 'remove-background') {
        session = maskSession;
        output = await removeBackground({
          session: maskSession,
          bytes: input.body,
          params: request.params,
          background: background?.body,
          onStage: (stage) => job.updateProgress(progressAt[stage]),
        });
      } else {
        const upscale = await upscaler(request.params);
        session = upscale;
        // Tiles run from 10% to 90%; reported in steps of 5 so a large image does not flood Redis with events.
        let reported = progressAfterInput;
        output = await upscaleImage({
          session: upscale,
          bytes: input.body,
          scale: request.params.scale,
          format: request.params.format,
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
      if (error instanceof PipelineError) {
        throw error.retryable ? retryable(error.code, error.message) : unrecoverable(error.code, error.message);
      }
      throw retryable('internal_error', messageOf(error));
    }

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
  };
}
