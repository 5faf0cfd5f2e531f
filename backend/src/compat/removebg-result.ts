import sharp from 'sharp';

export interface RemoveBgResult {
  readonly bytes: Buffer;
  readonly contentType: string;
  readonly width: number;
  readonly height: number;
  /** The subject's box in the answer, in pixels (remove.bg's X-Foreground-* headers). */
  readonly foreground: { top: number; left: number; width: number; height: number };
}

/**
 * Turns a Lumina cut-out (PNG, RGBA or a 1-channel mask) into what remove.bg answers: capped to `maxMegapixels`,
 * encoded as asked (JPEG flattens onto the fill colour, white without one), with the subject's bounding box.
 */
export async function shapeRemoveBgResult(
  png: Uint8Array,
  options: { format: 'png' | 'jpg' | 'webp'; maxMegapixels: number | null; fill: string | undefined },
): Promise<RemoveBgResult> {
  const meta = await sharp(png).metadata();
  let width = meta.width ?? 0;
  let height = meta.height ?? 0;
  let image = sharp(png);
  if (options.maxMegapixels !== null && width * height > options.maxMegapixels * 1e6) {
    const scale = Math.sqrt((options.maxMegapixels * 1e6) / (width * height));
    width = Math.max(1, Math.floor(width * scale));
    height = Math.max(1, Math.floor(height * scale));
    image = image.resize(width, height, { fit: 'fill', kernel: 'lanczos3' });
  }
  const resized = await image.png().toBuffer();
  const foreground = await foregroundBox(resized, options.fill);
  const bytes =
    options.format === 'jpg'
      ? await sharp(resized)
          .flatten({ background: `#${(options.fill ?? 'ffffff').slice(0, 6)}` })
          .jpeg({ quality: 90 })
          .toBuffer()
      : options.format === 'webp'
        ? await sharp(resized).webp({ lossless: true }).toBuffer()
        : resized;
  const contentType = { png: 'image/png', jpg: 'image/jpeg', webp: 'image/webp' }[options.format];
  return { bytes, contentType, width, height, foreground };
}

/**
 * The box of pixels that belong to the subject: alpha above 10/255 in a cut-out, above 10 in a mask, and, where
 * the background was filled with a colour, the pixels that differ from it. The whole image when none does.
 */
async function foregroundBox(png: Buffer, fill: string | undefined) {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const { width, height, channels } = info;
  const fillRgb = fill ? [0, 2, 4].map((at) => Number.parseInt(fill.slice(at, at + 2), 16)) : [0, 0, 0];
  const isSubject =
    channels === 4
      ? (at: number) => (data[at + 3] ?? 0) > 10
      : channels >= 3
        ? (at: number) =>
            Math.abs((data[at] ?? 0) - (fillRgb[0] ?? 0)) +
              Math.abs((data[at + 1] ?? 0) - (fillRgb[1] ?? 0)) +
              Math.abs((data[at + 2] ?? 0) - (fillRgb[2] ?? 0)) >
            30
        : (at: number) => (data[at] ?? 0) > 10;
  let top = height;
  let left = width;
  let bottom = -1;
  let right = -1;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      if (!isSubject((y * width + x) * channels)) continue;
      if (y < top) top = y;
      if (y > bottom) bottom = y;
      if (x < left) left = x;
      if (x > right) right = x;
    }
  }
  if (bottom < 0) return { top: 0, left: 0, width, height };
  return { top, left, width: right - left + 1, height: bottom - top + 1 };
}
