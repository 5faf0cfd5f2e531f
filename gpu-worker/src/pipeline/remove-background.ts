import type { RemoveBackgroundParams, ResultInfo, StageTimings } from '@lumina/shared';
import type { ModelOutput, ModelSession } from '../inference/load-model-session.ts';
import { applyMask } from './apply-mask.ts';
import { decodeImage } from './decode-image.ts';
import { encodeImage } from './encode-image.ts';
import { finishCutout } from './finish-cutout.ts';
import { PipelineError } from './pipeline-error.ts';
import { putBackgroundImage } from './put-background-image.ts';
import { requireSubject } from './require-subject.ts';
import { stageClock } from './stage-clock.ts';
import { toModelInput } from './to-model-input.ts';

/** Stage boundaries a caller can report progress at. */
export type PipelineStage = 'preprocessed' | 'inferred' | 'encoded';

export interface RemoveBackgroundInput {
  readonly session: ModelSession;
  readonly bytes: Uint8Array;
  readonly params: RemoveBackgroundParams;
  /** `bg_image_file`: an image to put behind the subject, scaled to cover the result. */
  readonly background?: Uint8Array | undefined;
  /** Awaited at each stage boundary; its time counts in `totalMs` only. */
  readonly onStage?: (stage: PipelineStage) => Promise<void>;
  /** Checked between stages and handed to the model's queue: an abort stops the work at the next boundary. */
  readonly signal?: AbortSignal;
}

export interface RemoveBackgroundOutput {
  readonly bytes: Buffer;
  readonly info: ResultInfo;
  readonly timings: StageTimings;
}

/**
 * The image with its background made transparent (or filled, cropped, or the mask alone, as `params` asks),
 * with the time each stage took. Pure: bytes in, bytes out; storage and queues are the caller's business.
 * An image with no subject fails with `no_subject` rather than come back fully transparent.
 */
export async function removeBackground({
  session,
  bytes,
  params,
  background,
  onStage,
  signal,
}: RemoveBackgroundInput): Promise<RemoveBackgroundOutput> {
  const { model } = session;
  if (model.operation !== 'remove-background') {
    throw new Error(`model ${model.id} serves ${model.operation}, not remove-background`);
  }
  const clock = stageClock();
  const lap = clock.lap;

  const image = await decodeImage(bytes);
  const decodeMs = lap();
  signal?.throwIfAborted();
  const input = await toModelInput(image, model.input);
  const preprocessMs = lap();
  await onStage?.('preprocessed');
  signal?.throwIfAborted();

  lap();
  let mask: ModelOutput;
  try {
    mask = await session.run(input, signal);
  } catch (error) {
    signal?.throwIfAborted();
    const reason = error instanceof Error ? error.message : String(error);
    throw new PipelineError('model_failed', `model ${model.id} failed: ${reason}`, { retryable: true, cause: error });
  }
  const inferenceMs = lap();
  await onStage?.('inferred');

  lap();
  await requireSubject(mask, model.output);
  const alpha = await applyMask(image, mask, model.output);
  const cutout = finishCutout(image, alpha, params);
  const output = background ? await putBackgroundImage(cutout, background) : cutout;
  const postprocessMs = lap();
  signal?.throwIfAborted();
  const encoded = await encodeImage(output, params.format);
  const encodeMs = lap();
  await onStage?.('encoded');

  return {
    bytes: encoded,
    info: { format: params.format, width: output.width, height: output.height, bytes: encoded.length },
    timings: { decodeMs, preprocessMs, inferenceMs, postprocessMs, encodeMs, totalMs: clock.totalMs() },
  };
}
