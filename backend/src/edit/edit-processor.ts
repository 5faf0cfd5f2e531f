import type { Logger, ObjectStore } from '@lumina/runtime';
import { type EditJobResult, formatFailedReason, TaskJob } from '@lumina/shared';
import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import { EditFailure } from './edit-failure.ts';
import { editWithRetries, type RetryPolicy } from './edit-with-retries.ts';
import { finishEdit } from './finish-edit.ts';
import type { GeminiEditor } from './gemini-editor.ts';
import { prepareEditInput } from './prepare-edit-input.ts';

export interface EditProcessorDeps {
  readonly store: ObjectStore;
  readonly editor: GeminiEditor;
  readonly model: string;
  readonly retry: RetryPolicy;
  readonly log: Logger;
}

/** Job progress (0–100) at each boundary; BullMQ marks 100 by completing the job. */
const progress = { input: 10, prepared: 20, edited: 90 } as const;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The BullMQ processor for the edit queue: input from storage → prepared for the model → Gemini (with its own
 * retries) → resized and encoded → result in storage. Model failures are final for the job (their retries
 * happened here); a storage failure is left to BullMQ's attempts. Every failure carries `code: message`.
 */
export function createEditProcessor({ store, editor, model, retry, log }: EditProcessorDeps) {
  return async (job: Job<unknown, EditJobResult>): Promise<EditJobResult> => {
    const started = performance.now();
    const parsed = TaskJob.safeParse(job.data);
    if (!parsed.success) {
      throw new UnrecoverableError(
        formatFailedReason('internal_error', `job ${job.id} has an invalid payload: ${z.prettifyError(parsed.error)}`),
      );
    }
    const { taskId, inputKey, outputKey, request, requestId } = parsed.data;
    if (request.operation !== 'magic-edit') {
      throw new UnrecoverableError(
        formatFailedReason('internal_error', `the edit queue got a ${request.operation} job`),
      );
    }

    let input: Awaited<ReturnType<ObjectStore['get']>>;
    try {
      input = await store.get(inputKey);
    } catch (error) {
      throw new Error(
        formatFailedReason('storage_failed', `could not read the input ${inputKey}: ${messageOf(error)}`),
      );
    }
    if (input === null) {
      throw new UnrecoverableError(formatFailedReason('input_unreadable', `there is no input object at ${inputKey}`));
    }
    await job.updateProgress(progress.input);

    try {
      const prepared = await prepareEditInput(input.body);
      await job.updateProgress(progress.prepared);
      const modelStarted = performance.now();
      const { image, attempts } = await editWithRetries(
        editor,
        { image: prepared.image, mimeType: prepared.mimeType, prompt: request.params.prompt },
        retry,
        (failure, waitMs, attempt) =>
          log.warn('gemini request failed; retrying', {
            taskId,
            requestId,
            attempt,
            waitMs,
            code: failure.code,
            error: failure.message,
          }),
      );
      const modelMs = performance.now() - modelStarted;
      await job.updateProgress(progress.edited);
      const finishStarted = performance.now();
      const finished = await finishEdit({
        modelImage: image.data,
        original: prepared.original,
        sent: prepared.sent,
        size: request.params.size,
        format: request.params.format,
      });
      try {
        await store.put(outputKey, finished.bytes, finished.contentType);
      } catch (error) {
        throw new Error(formatFailedReason('storage_failed', `could not store the result: ${messageOf(error)}`));
      }
      const finishMs = performance.now() - finishStarted;
      const totalMs = performance.now() - started;
      return {
        outputKey,
        result: {
          format: request.params.format,
          width: finished.width,
          height: finished.height,
          bytes: finished.bytes.length,
          resize: finished.resize,
        },
        model,
        attempts,
        timings: {
          prepareMs: round(modelStarted - started),
          modelMs: round(modelMs),
          finishMs: round(finishMs),
          totalMs: round(totalMs),
        },
      };
    } catch (error) {
      if (error instanceof EditFailure) throw error.toJobError();
      throw error;
    }
  };
}

const round = (ms: number) => Math.round(ms * 10) / 10;
