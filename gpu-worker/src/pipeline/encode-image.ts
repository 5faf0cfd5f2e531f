import type { ResultFormat } from '@lumina/shared';
import sharp from 'sharp';
import { encodePng } from './encode-png.ts';

/** 8-bit interleaved pixels ready to encode: grey (1), RGB (3) or RGBA (4) channels. */
export interface Raster {
  readonly pixels: Buffer;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3 | 4;
}

/**
 * WebP: lossless (exact pixels and alpha) at the lowest effort, smaller than the PNG; higher efforts shrink files
 * ~30% more but take seconds longer at camera sizes (bench/worker-stages.ts).
 */
export const webpOptions = { lossless: true, effort: 0 } as const satisfies sharp.WebpOptions;

/**
 * PNG keeps a 1-channel raster as 8-bit grey; WebP has no grey mode, so a mask comes back as RGB there. The PNG
 * deflate gets as many threads as libvips does per operation (`sharp.concurrency`, which the worker sets to its
 * share of the cores per job in flight).
 */
export async function encodeImage(image: Raster, format: ResultFormat): Promise<Buffer> {
  if (format === 'png') return encodePng(image, { threads: sharp.concurrency() });
  let pipeline = sharp(image.pixels, { raw: { width: image.width, height: image.height, channels: image.channels } });
  if (image.channels === 1) pipeline = pipeline.toColourspace('b-w');
  return pipeline.webp(webpOptions).toBuffer();
}
