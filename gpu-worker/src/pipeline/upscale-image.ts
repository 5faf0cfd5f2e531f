import type { ResultFormat, ResultInfo, StageTimings } from '@lumina/shared';
import sharp from 'sharp';
import type { UpscaleSession } from '../inference/load-upscale-session.ts';
import { decodeRgbAndAlpha } from './decode-rgb-and-alpha.ts';
import { encodeImage } from './encode-image.ts';
import { PipelineError } from './pipeline-error.ts';
import { stageClock } from './stage-clock.ts';
import { type UpscaleInTilesOutput, upscaleInTiles } from './upscale-in-tiles.ts';

/**
 * The cpu default (UPSCALE_TILE_PX sets it per worker): on the 2-core cpu a tile's cost per pixel is flat from 64²
 * to 320² for slim and thick alike, so larger tiles only save overlap (1.19× the pixels at 192, 1.13× at 256) while
 * the inference thread's memory grows with them. A GPU wants fewer, larger launches.
 */
export const defaultTileSizePx = 192;
/**
 * ESRGAN pads with zeros, so a tile's edge differs from an untiled run: on baboon.jpg, overlaps of 4/8/12 px
 * left seams of up to 11/3/1 levels (slim) and 7/3/1 (thick); 16 leaves a margin over 12.
 */
export const defaultOverlapPx = 16;

export interface UpscaleImageInput {
  readonly session: UpscaleSession;
  readonly bytes: Uint8Array;
  /** Must be the session's model's scale; the caller picks the model with chooseUpscaleModel. */
  readonly scale: number;
  readonly format: ResultFormat;
  /** Input pixels per tile side. */
  readonly tileSizePx?: number;
  /** Input pixels neighbouring tiles share, blended linearly. */
  readonly overlapPx?: number;
  /** Told after each tile with the share of tiles done (0–1]. */
  readonly onTileDone?: (fractionDone: number) => Promise<void> | void;
  /** Checked between tiles and before the encode, and handed to the model's queue. */
  readonly signal?: AbortSignal;
}

export interface UpscaleImageOutput {
  readonly bytes: Buffer;
  readonly info: ResultInfo;
  readonly timings: StageTimings;
}

/**
 * The image `scale` times larger: colour through the model tile by tile, alpha (when the input has one)
 * through a lanczos3 resize, since the model knows nothing of transparency. Pure: bytes in, bytes out.
 */
export async function upscaleImage({
  session,
  bytes,
  scale,
  format,
  tileSizePx = defaultTileSizePx,
  overlapPx = defaultOverlapPx,
  onTileDone,
  signal,
}: UpscaleImageInput): Promise<UpscaleImageOutput> {
  const { model } = session;
  if (model.output.scale !== scale) throw new Error(`model ${model.id} upscales ${model.output.scale}×, not ${scale}×`);
  if (!Number.isInteger(tileSizePx) || !Number.isInteger(overlapPx) || overlapPx < 0 || 2 * overlapPx >= tileSizePx) {
    throw new RangeError(`tiles of ${tileSizePx} px cannot overlap by ${overlapPx} px`);
  }
  const clock = stageClock();
  const lap = clock.lap;

  const { rgb, alpha } = await decodeRgbAndAlpha(bytes);
  const decodeMs = lap();
  signal?.throwIfAborted();

  let upscaled: UpscaleInTilesOutput;
  try {
    upscaled = await upscaleInTiles({
      session,
      image: rgb,
      tileSizePx,
      overlapPx,
      outputChannels: alpha ? 4 : 3,
      ...(onTileDone ? { onTileDone } : {}),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    signal?.throwIfAborted();
    const reason = error instanceof Error ? error.message : String(error);
    throw new PipelineError('model_failed', `model ${model.id} failed: ${reason}`, { retryable: true, cause: error });
  }
  lap();

  const { pixels, width, height } = upscaled;
  if (alpha) {
    const resized = await sharp(alpha, { raw: { width: rgb.width, height: rgb.height, channels: 1 } })
      .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
      // sharp writes one-channel raw input out as sRGB (three equal channels) unless told otherwise.
      .toColourspace('b-w')
      .raw()
      .toBuffer();
    if (resized.length !== width * height) throw new Error(`the resized alpha has ${resized.length} bytes`);
    for (let i = 0, j = 3; i < resized.length; i++, j += 4) pixels[j] = resized[i] ?? 0;
  }
  const alphaMs = lap();
  signal?.throwIfAborted();

  const encoded = await encodeImage({ pixels, width, height, channels: alpha ? 4 : 3 }, format);
  const encodeMs = lap();

  return {
    bytes: encoded,
    info: { format, width, height, bytes: encoded.length },
    timings: {
      decodeMs,
      preprocessMs: upscaled.preprocessMs,
      inferenceMs: upscaled.inferenceMs,
      postprocessMs: upscaled.postprocessMs + alphaMs,
      encodeMs,
      totalMs: clock.totalMs(),
    },
  };
}
