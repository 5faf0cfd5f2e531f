import sharp from 'sharp';
import { PipelineError } from './pipeline-error.ts';

/** An image as 8-bit sRGB RGBA pixels, rows top to bottom, as it is meant to be seen (EXIF orientation applied). */
export interface DecodedImage {
  readonly pixels: Buffer;
  readonly width: number;
  readonly height: number;
}

/**
 * Normalises whatever the user uploaded to one pixel format: EXIF rotation applied, CMYK and 16-bit inputs
 * converted to 8-bit sRGB, the first frame of an animation, and an alpha channel (opaque when absent) that
 * the mask later replaces.
 */
export async function decodeImage(bytes: Uint8Array): Promise<DecodedImage> {
  try {
    const { data, info } = await sharp(bytes, { pages: 1, failOn: 'error' })
      .rotate()
      .toColourspace('srgb')
      .ensureAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 4) throw new Error(`decoded to ${info.channels} channels instead of 4`);
    return { pixels: data, width: info.width, height: info.height };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PipelineError('input_unreadable', `the input is not a readable image (${reason.trim()})`, {
      retryable: false,
      cause: error,
    });
  }
}
