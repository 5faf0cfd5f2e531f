import type { ImageSize } from '@lumina/shared';
import sharp from 'sharp';
import { EditFailure } from './edit-failure.ts';

/** What the model is sent: at most this many pixels a side (it answers at about one megapixel anyway)… */
export const maxSentSidePx = 3072;
/** …and at most this many bytes, under the API's limit of about 7 MB for an inline image. */
export const maxSentBytes = 7 * 1000 * 1000;

export interface PreparedInput {
  readonly image: Buffer;
  readonly mimeType: 'image/png' | 'image/jpeg';
  /** The input as uploaded, after EXIF orientation. */
  readonly original: ImageSize;
  readonly sent: ImageSize;
}

/**
 * Re-encodes the upload into what the model accepts inline: oriented, without metadata, PNG where it has
 * transparency and JPEG otherwise, downscaled (keeping the aspect ratio) until it is within `maxSidePx` and
 * `maxBytes`. Any input format Lumina accepts (AVIF, TIFF, GIF…) leaves as one the API takes.
 */
export async function prepareEditInput(
  bytes: Uint8Array,
  limits: { maxSidePx: number; maxBytes: number } = { maxSidePx: maxSentSidePx, maxBytes: maxSentBytes },
): Promise<PreparedInput> {
  let meta: sharp.Metadata;
  try {
    meta = await sharp(bytes).metadata();
  } catch (error) {
    throw new EditFailure('input_unreadable', `The input could not be decoded: ${(error as Error).message}`);
  }
  const rotated = (meta.orientation ?? 1) >= 5;
  const width = (rotated ? meta.height : meta.width) ?? 0;
  const height = (rotated ? meta.width : meta.height) ?? 0;
  if (width === 0 || height === 0) throw new EditFailure('input_unreadable', 'The input has no dimensions.');
  const original = { width, height };
  const png = meta.hasAlpha === true;

  let side = Math.min(limits.maxSidePx, Math.max(width, height));
  for (;;) {
    const scale = side / Math.max(width, height);
    const sent = {
      width: Math.max(1, Math.round(width * scale)),
      height: Math.max(1, Math.round(height * scale)),
    };
    const pipeline = sharp(bytes).rotate().resize(sent.width, sent.height, { fit: 'fill' });
    const image = png
      ? await pipeline.png({ compressionLevel: 6 }).toBuffer()
      : await pipeline.jpeg({ quality: 90, mozjpeg: false }).toBuffer();
    if (image.length <= limits.maxBytes || side <= 256) {
      if (image.length > limits.maxBytes) {
        throw new EditFailure('input_unreadable', "The input does not fit the model's request even when downscaled.");
      }
      return { image, mimeType: png ? 'image/png' : 'image/jpeg', original, sent };
    }
    // Bytes grow about with the area: shrink the side by the square root of the overshoot, and a little more.
    side = Math.max(256, Math.floor(side * Math.sqrt(limits.maxBytes / image.length) * 0.95));
  }
}
