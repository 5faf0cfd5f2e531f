import type { ResultFormat } from '@lumina/shared';
import sharp from 'sharp';
import type { DecodedImage } from './decode-image.ts';

/**
 * Encoder settings, measured with bench/worker-stages.ts. PNG: zlib level 3 with adaptive (per-row) filtering
 * makes files 2× smaller than sharp's default (level 6, no filtering) in 1.0–1.5× its time, and takes half the
 * time of level 6 with filtering for ~5% more bytes; at 4000×3000 it is still the slowest stage (~1.2 s on
 * 2 cores). WebP: lossless (exact pixels and alpha) at the lowest effort, smaller than the PNG; higher efforts
 * shrink files ~30% more but take seconds longer at camera sizes.
 */
export const pngOptions = { compressionLevel: 3, adaptiveFiltering: true } as const satisfies sharp.PngOptions;
export const webpOptions = { lossless: true, effort: 0 } as const satisfies sharp.WebpOptions;

export async function encodeImage(image: DecodedImage, format: ResultFormat): Promise<Buffer> {
  const pipeline = sharp(image.pixels, { raw: { width: image.width, height: image.height, channels: 4 } });
  return format === 'webp' ? pipeline.webp(webpOptions).toBuffer() : pipeline.png(pngOptions).toBuffer();
}
