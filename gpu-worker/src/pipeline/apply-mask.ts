import sharp from 'sharp';
import type { ModelOutput } from '../inference/load-model-session.ts';
import type { ModelOutputSpec } from '../models/registry.ts';
import type { DecodedImage } from './decode-image.ts';
import { inSlices } from './in-slices.ts';

/**
 * Turns the model's mask into the image's alpha channel, in place: values in `spec.range` map to 0..255, the
 * 8-bit mask is resized back to the image's size, and it replaces whatever alpha the image had. Returns that
 * alpha plane, for the steps that need the mask alone.
 */
export async function applyMask(image: DecodedImage, mask: ModelOutput, spec: ModelOutputSpec): Promise<Buffer> {
  const [low, high] = spec.range;
  const scale = 255 / (high - low);
  // A clamped array rounds and clamps on assignment, so values slightly outside the range cost no branch.
  const mask8 = new Uint8ClampedArray(mask.width * mask.height);
  await inSlices(mask8.length, (start, end) => {
    for (let i = start; i < end; i++) mask8[i] = ((mask.data[i] ?? 0) - low) * scale;
  });

  // Bilinear rather than lanczos: a sharpening kernel rings at the mask's edges, which shows as faint halos. A
  // mask already at the image's size is used as it is (libvips' resize to the same size is the identity).
  const alpha =
    mask.width === image.width && mask.height === image.height
      ? Buffer.from(mask8.buffer, mask8.byteOffset, mask8.byteLength)
      : await sharp(mask8, { raw: { width: mask.width, height: mask.height, channels: 1 } })
          .toColourspace('b-w')
          .resize(image.width, image.height, { fit: 'fill', kernel: 'linear' })
          .raw()
          .toBuffer();
  const pixelCount = image.width * image.height;
  if (alpha.length !== pixelCount) throw new Error(`resized mask has ${alpha.length} bytes, expected ${pixelCount}`);
  const pixels = image.pixels;
  await inSlices(pixelCount, (start, end) => {
    for (let i = start, j = 4 * start + 3; i < end; i++, j += 4) pixels[j] = alpha[i] ?? 0;
  });
  return alpha;
}
