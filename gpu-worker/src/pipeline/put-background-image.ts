import sharp from 'sharp';
import type { Raster } from './encode-image.ts';
import { PipelineError } from './pipeline-error.ts';

/**
 * The finished cut-out over a background image (`bg_image_file`), as remove.bg does it: the image scaled to
 * cover the cut-out's size (centred, cropped, never stretched), any transparency of its own flattened onto
 * white, then out = fg·a + bg·(1−a) on straight sRGB values. The answer is opaque, so it drops its alpha.
 */
export async function putBackgroundImage(cutout: Raster, background: Uint8Array): Promise<Raster> {
  if (cutout.channels !== 4) return cutout;
  const { width, height } = cutout;
  let under: Buffer;
  try {
    under = await sharp(background, { pages: 1, failOn: 'error' })
      .rotate()
      .toColourspace('srgb')
      .resize(width, height, { fit: 'cover', position: 'centre' })
      .flatten({ background: '#ffffff' })
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PipelineError('input_unreadable', `the background image is not readable (${reason.trim()})`, {
      retryable: false,
      cause: error,
    });
  }
  const count = width * height;
  const rgb = Buffer.allocUnsafe(count * 3);
  const fg = cutout.pixels;
  for (let i = 0, s = 0, d = 0; i < count; i++, s += 4, d += 3) {
    const a = fg[s + 3] ?? 0;
    const b = 255 - a;
    rgb[d] = ((fg[s] ?? 0) * a + (under[d] ?? 0) * b + 127) / 255;
    rgb[d + 1] = ((fg[s + 1] ?? 0) * a + (under[d + 1] ?? 0) * b + 127) / 255;
    rgb[d + 2] = ((fg[s + 2] ?? 0) * a + (under[d + 2] ?? 0) * b + 127) / 255;
  }
  return { pixels: rgb, width, height, channels: 3 };
}
