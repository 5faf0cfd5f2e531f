import type { ResultFormat } from '@lumina/shared';
import sharp from 'sharp';

/** 8-bit interleaved pixels ready to encode: grey (1), RGB (3) or RGBA (4) channels. */
export interface Raster {
  readonly pixels: Buffer;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3 | 4;
}

/**
 * Encoder settings, measured with bench/worker-stages.ts. PNG: zlib level 3 with adaptive (per-row) filtering
 * makes files 2× smaller than sharp's default (level 6, no filtering) in 1.0–1.5× its time, and takes half the
 * time of level 6 with filtering for ~5% more bytes; at 4000×3000 it is still the slowest stage (~1.2 s on
 * 2 cores). WebP: lossless (exact pixels and alpha) at the lowest effort, smaller than the PNG; higher efforts
 * shrink files ~30% more but take seconds longer at camera sizes.
 */
export const pngOptions = { compressionLevel: 3, adaptiveFiltering: true } as const satisfies sharp.PngOptions;
/** Results above this many pixels get `fastPngOptions`: at camera sizes the encode, not the model, is the slow part. */
export const fastPngAbovePixels = 8_000_000;
export const fastPngOptions = { compressionLevel: 1, adaptiveFiltering: true } as const satisfies sharp.PngOptions;

/** The PNG settings for a result of `pixels` pixels; both are lossless, so the pixels decode back the same. */
export const pngOptionsFor = (pixels: number): sharp.PngOptions =>
  pixels > fastPngAbovePixels ? fastPngOptions : pngOptions;
export const webpOptions = { lossless: true, effort: 0 } as const satisfies sharp.WebpOptions;

/** PNG keeps a 1-channel raster as 8-bit grey; WebP has no grey mode, so a mask comes back as RGB there. */
export async function encodeImage(image: Raster, format: ResultFormat): Promise<Buffer> {
  let pipeline = sharp(image.pixels, { raw: { width: image.width, height: image.height, channels: image.channels } });
  if (image.channels === 1) pipeline = pipeline.toColourspace('b-w');
  return format === 'webp'
    ? pipeline.webp(webpOptions).toBuffer()
    : pipeline.png(pngOptionsFor(image.width * image.height)).toBuffer();
}
