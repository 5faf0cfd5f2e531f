import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  encodeImage,
  fastPngAbovePixels,
  fastPngOptions,
  pngOptions,
  pngOptionsFor,
} from '../src/pipeline/encode-image.ts';
import { fixture } from './support/fixtures.ts';

/** A photo with a soft-edged alpha, `channels` wide, as the worker hands results to the encoder. */
async function raster(width: number, height: number, channels: 1 | 3 | 4) {
  const rgba = await sharp(fixture('baboon.jpg')).resize(width, height, { fit: 'fill' }).ensureAlpha().raw().toBuffer();
  for (let i = 0; i < width * height; i++) rgba[i * 4 + 3] = (i * 7 + Math.floor(i / width) * 13) % 256;
  if (channels === 4) return { pixels: rgba, width, height, channels };
  const pixels = Buffer.alloc(width * height * channels);
  for (let i = 0; i < width * height; i++)
    for (let c = 0; c < channels; c++) pixels[i * channels + c] = rgba[i * 4 + c] ?? 0;
  return { pixels, width, height, channels };
}

describe('encodeImage', () => {
  it('picks the faster PNG settings only above the size where the encode dominates', () => {
    expect(pngOptionsFor(1024 * 1024)).toEqual(pngOptions);
    expect(pngOptionsFor(fastPngAbovePixels)).toEqual(pngOptions);
    expect(pngOptionsFor(4000 * 3000)).toEqual(fastPngOptions);
  });

  it.each([
    ['grey 1024²', 1024, 1024, 1],
    ['RGB 1024²', 1024, 1024, 3],
    ['RGBA 1024²', 1024, 1024, 4],
    ['RGBA 3000×2800, over the fast threshold', 3000, 2800, 4],
  ] as const)(
    'encodes %s as a PNG that decodes to exactly the same pixels',
    async (_name, width, height, channels) => {
      const image = await raster(width, height, channels);
      const png = await encodeImage(image, 'png');
      expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width, height, channels });
      // sharp reads a grey PNG out as sRGB (three equal channels); the stored grey is any one of them.
      const decoder = channels === 1 ? sharp(png).extractChannel(0) : sharp(png);
      const { data, info } = await decoder.raw().toBuffer({ resolveWithObject: true });
      expect(info).toMatchObject({ width, height, channels });
      expect(data.equals(image.pixels)).toBe(true);
    },
    300_000,
  );
});
