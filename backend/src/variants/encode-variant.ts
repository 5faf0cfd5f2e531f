import type { ResultVariantFormat } from '@lumina/shared';
import sharp from 'sharp';

export const contentTypeOf = (format: ResultVariantFormat): string => `image/${format}`;

/**
 * The stored result re-encoded, same pixels and size: WebP losslessly (as results are stored, so a cut-out's
 * edges stay exact), AVIF at high quality with a full-quality alpha channel, which is where it saves the most
 * bytes, PNG at the highest compression. Made once per result and kept.
 */
export async function encodeVariant(image: Uint8Array, format: ResultVariantFormat): Promise<Uint8Array> {
  const pipeline = sharp(image);
  if (format === 'png') return pipeline.png({ compressionLevel: 9 }).toBuffer();
  if (format === 'webp') return pipeline.webp({ lossless: true }).toBuffer();
  return pipeline.avif({ quality: 80, effort: 2 }).toBuffer();
}
