import sharp from 'sharp';
import { watermarkTileSvg } from './watermark-tile-svg.ts';

/** The formats results are stored and served in (AVIF as a variant), and so the ones a watermarked copy comes in. */
export type WatermarkFormat = 'png' | 'webp' | 'avif';

/**
 * Lossy colour; alpha reduced to 16 levels, the most at which libwebp packs two alpha values a byte before its
 * lossless pass. Fully transparent and fully opaque pixels keep their values, so a cut-out's edges stay where they
 * were; soft edge pixels move by a few levels (at most 9 of 255 on a blurred matte). Exact alpha cost 0.12 GB more
 * at 16 MP (0.4 GB instead of 0.28 GB), the mark's outlines on transparent areas being hard to compress. The
 * lowest effort: 0.12 GB less than the default and a third of the time, for a somewhat larger file.
 */
const markedWebp = { quality: 90, alphaQuality: 70, effort: 0 } as const;

/** About this many tiles (two words each) across the image's short side. */
const tilesAcrossShortSide = 2.5;
/** Below this a tile would make the letters unreadable, so small images get one tile as large as they are. */
const minTileSizePx = 64;
/** Past this the words are large enough; the cap also bounds the overlay's memory (4 bytes a pixel). */
const maxTileSizePx = 2048;

const tileSizeFor = (widthPx: number, heightPx: number): number => {
  const shortSidePx = Math.min(widthPx, heightPx);
  const scaled = Math.round(shortSidePx / tilesAcrossShortSide);
  return Math.min(maxTileSizePx, Math.max(Math.min(shortSidePx, minTileSizePx), scaled));
};

/** Rendered tiles by size: served results come in few sizes, and rendering a large SVG is the costly part. */
const tileCache = new Map<string, Promise<Buffer>>();
const tileCacheEntries = 32;

const renderTile = (tileSizePx: number, widthPx: number, heightPx: number): Promise<Buffer> => {
  const key = `${tileSizePx}:${widthPx}:${heightPx}`;
  const cached = tileCache.get(key);
  if (cached) return cached;
  const rendered = sharp(Buffer.from(watermarkTileSvg({ tileSizePx, widthPx, heightPx })))
    .png()
    .toBuffer();
  // A failed render is not kept, so the next request tries again.
  rendered.catch(() => tileCache.delete(key));
  if (tileCache.size >= tileCacheEntries) {
    const oldest = tileCache.keys().next();
    if (!oldest.done) tileCache.delete(oldest.value);
  }
  tileCache.set(key, rendered);
  return rendered;
};

/**
 * The free plan's visible mark: a repeated diagonal "LUMINA", light with a dark outline so it shows on white,
 * black, photos and transparent areas, sized to the image. Applied when a result is served, never to the stored
 * copy, so a team that upgrades gets its past results clean. The output keeps the input's width, height,
 * alpha channel (or lack of one), greyscale and 16-bit depth, encoded as `format`. A PNG streams through
 * libvips, so memory stays flat with the image's size. A WebP is lossy at high quality with 16 alpha levels: the
 * lossless encoder holds about 30 bytes a pixel (0.5 GB at 16 MP, and 0.5 GB more for the clean variant it was
 * made from), and the marked copy is a preview whose pixels the mark changes anyway.
 */
export async function applyWatermark(image: Uint8Array, format: WatermarkFormat): Promise<Uint8Array> {
  const metadata = await sharp(image).metadata();
  const { width, height } = metadata;
  const tileSizePx = tileSizeFor(width, height);
  // A tile larger than the image is cropped to it: sharp refuses an overlay larger than the base.
  const tile = await renderTile(tileSizePx, Math.min(tileSizePx, width), Math.min(tileSizePx, height));

  const isGrey = metadata.space === 'b-w' || metadata.space === 'grey16';
  const is16Bit = metadata.depth === 'ushort';
  let pipeline = sharp(image).composite([{ input: tile, tile: true, gravity: 'northwest' }]);
  // 16-bit images are composited in 16-bit RGB, or the pipeline would quietly reduce them to 8 bits.
  if (is16Bit) pipeline = pipeline.pipelineColourspace('rgb16');
  // Compositing adds an alpha channel; an opaque image stays opaque.
  if (!metadata.hasAlpha) pipeline = pipeline.removeAlpha();
  pipeline = pipeline.toColourspace(isGrey ? (is16Bit ? 'grey16' : 'b-w') : is16Bit ? 'rgb16' : 'srgb');
  if (format === 'avif') return pipeline.avif({ quality: 80, effort: 2 }).toBuffer();
  return format === 'png' ? pipeline.png().toBuffer() : pipeline.webp(markedWebp).toBuffer();
}
