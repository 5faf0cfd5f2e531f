import sharp from 'sharp';
import type { ModelInputSpec } from '../models/registry.ts';
import type { DecodedImage } from './decode-image.ts';
import { inSlices } from './in-slices.ts';

/**
 * The model's input tensor: the whole frame squashed to the model's size (segmentation models are trained on
 * full frames without letterboxing), then planar CHW float32 with `(v - mean) / std` per channel. Bilinear,
 * as in ISNet's training code; it is also 2× cheaper than sharp's default lanczos3 at 4000×3000. An image
 * already at the model's size (a 1024² design) is read as it is: libvips' resize to the same size is the
 * identity, so skipping it gives the same tensor without copying the pixels through libvips twice.
 */
export async function toModelInput(image: DecodedImage, spec: ModelInputSpec): Promise<Float32Array<ArrayBuffer>> {
  const atModelSize = image.width === spec.width && image.height === spec.height;
  const pixels = atModelSize
    ? image.pixels
    : await sharp(image.pixels, { raw: { width: image.width, height: image.height, channels: 4 } })
        .removeAlpha()
        .resize(spec.width, spec.height, { fit: 'fill', kernel: 'linear' })
        .raw()
        .toBuffer();
  const step = atModelSize ? 4 : 3;
  const plane = spec.width * spec.height;
  const tensor = new Float32Array(3 * plane);
  const [meanR, meanG, meanB] = spec.mean;
  const [stdR, stdG, stdB] = spec.std;
  const scaleR = 1 / stdR;
  const scaleG = 1 / stdG;
  const scaleB = 1 / stdB;
  // One pass over interleaved RGB(A) writing three planes; no allocation per pixel.
  await inSlices(plane, (start, end) => {
    for (let i = start, j = step * start; i < end; i++, j += step) {
      tensor[i] = ((pixels[j] ?? 0) - meanR) * scaleR;
      tensor[plane + i] = ((pixels[j + 1] ?? 0) - meanG) * scaleG;
      tensor[2 * plane + i] = ((pixels[j + 2] ?? 0) - meanB) * scaleB;
    }
  });
  return tensor;
}
