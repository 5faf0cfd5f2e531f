import sharp from 'sharp';
import { PipelineError } from './pipeline-error.ts';
import type { RgbPixels } from './upscale-in-tiles.ts';

/** An image as 8-bit sRGB, its colour and its alpha (when it has one) in separate buffers. */
export interface RgbAndAlpha {
  readonly rgb: RgbPixels;
  /** One byte per pixel; absent for an image without an alpha channel. */
  readonly alpha: Buffer | undefined;
}

/**
 * Normalises an upload for upscaling: EXIF rotation applied, CMYK, grey and 16-bit inputs converted to 8-bit
 * sRGB, the first frame of an animation. Unlike remove-background's decode, no alpha is invented: an opaque
 * input stays RGB all the way to the encoder.
 */
export async function decodeRgbAndAlpha(bytes: Uint8Array): Promise<RgbAndAlpha> {
  let decoded: { data: Buffer; info: sharp.OutputInfo };
  try {
    decoded = await sharp(bytes, { pages: 1, failOn: 'error' })
      .rotate()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PipelineError('input_unreadable', `the input is not a readable image (${reason.trim()})`, {
      retryable: false,
      cause: error,
    });
  }
  const { data, info } = decoded;
  const { width, height, channels } = info;
  if (channels === 3) return { rgb: { pixels: data, width, height }, alpha: undefined };
  if (channels !== 4) throw new Error(`decoded to ${channels} channels instead of 3 or 4`);
  const rgb = Buffer.alloc(width * height * 3);
  const alpha = Buffer.alloc(width * height);
  for (let i = 0, j = 0, k = 0; i < alpha.length; i++, j += 4, k += 3) {
    rgb[k] = data[j] ?? 0;
    rgb[k + 1] = data[j + 1] ?? 0;
    rgb[k + 2] = data[j + 2] ?? 0;
    alpha[i] = data[j + 3] ?? 0;
  }
  return { rgb: { pixels: rgb, width, height }, alpha };
}
