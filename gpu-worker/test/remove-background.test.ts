import { RemoveBackgroundParams, StageTimings } from '@lumina/shared';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ModelSession, PipelineError, removeBackground } from '../src/index.ts';
import { alphaOf, fixture, loadTestSession, shareOf } from './support/fixtures.ts';

let session: ModelSession;
beforeAll(async () => {
  session = await loadTestSession();
});

const run = (bytes: Uint8Array, format: 'png' | 'webp' = 'png') =>
  removeBackground({ session, bytes, params: RemoveBackgroundParams.parse({ format }) });
/** Runs with params as a multipart form would send them, through the shared schema. */
const runWith = (bytes: Uint8Array, params: Record<string, string>) =>
  removeBackground({ session, bytes, params: RemoveBackgroundParams.parse(params) });

/** The bounding box of alpha above 10, computed here independently of the pipeline. */
function boxOf(alpha: { data: Buffer; width: number; height: number }) {
  let left = alpha.width;
  let top = alpha.height;
  let right = -1;
  let bottom = -1;
  for (let y = 0; y < alpha.height; y++) {
    for (let x = 0; x < alpha.width; x++) {
      if (alpha.data[y * alpha.width + x]! > 10) {
        left = Math.min(left, x);
        right = Math.max(right, x);
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
      }
    }
  }
  return { left, top, width: right - left + 1, height: bottom - top + 1 };
}

/** A PNG of `width`×`height` RGB pixels from `fill(i)` per byte. */
const syntheticPng = (width: number, height: number, fill: (i: number) => number) => {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = fill(i);
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
};

describe('removeBackground on real photos', () => {
  it('keeps the cat in chelsea.png opaque and makes the background around it transparent', async () => {
    const result = await run(fixture('chelsea.png'));
    const alpha = await alphaOf(result.bytes);

    // The face, between the ears and above the chin (the photo is 451×300).
    expect(shareOf(alpha, { left: 150, top: 60, width: 150, height: 160 }, (a) => a > 200)).toBeGreaterThan(0.95);
    // The blurred room at the top corners and down the right edge.
    const transparent = (a: number) => a < 30;
    expect(shareOf(alpha, { left: 405, top: 0, width: 46, height: 50 }, transparent)).toBeGreaterThan(0.9);
    expect(shareOf(alpha, { left: 0, top: 0, width: 25, height: 80 }, transparent)).toBeGreaterThan(0.9);
    expect(shareOf(alpha, { left: 425, top: 120, width: 26, height: 130 }, transparent)).toBeGreaterThan(0.9);
  });

  it('cuts the horse silhouette out of horse.png, replacing the input alpha with the mask', async () => {
    const input = fixture('horse.png');
    const { data: rgba, info } = await sharp(input).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const alpha = await alphaOf((await run(input)).bytes);

    // The fixture is a black horse on white with an opaque alpha channel: the dark pixels are the truth.
    let both = 0;
    let either = 0;
    for (let i = 0; i < info.width * info.height; i++) {
      const horse = rgba[i * 4]! < 128;
      const kept = alpha.data[i]! > 127;
      if (horse && kept) both++;
      if (horse || kept) either++;
    }
    expect(both / either).toBeGreaterThan(0.95);
  });

  it('returns an RGBA PNG of the input size with its stage timings', async () => {
    const result = await run(fixture('coffee.png'));
    const meta = await sharp(result.bytes).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 600, height: 400, channels: 4, depth: 'uchar', space: 'srgb' });
    expect(result.info).toEqual({ format: 'png', width: 600, height: 400, bytes: result.bytes.length });
    expect(StageTimings.safeParse(result.timings).success).toBe(true);
  });

  it('returns lossless WebP with alpha when asked', async () => {
    const result = await run(fixture('fruits.jpg'), 'webp');
    const meta = await sharp(result.bytes).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 512, height: 480, hasAlpha: true });
    expect(result.info).toMatchObject({ format: 'webp', width: 512, height: 480, bytes: result.bytes.length });
  });
});

describe('removeBackground normalises what users upload', () => {
  const expectRgba8 = async (bytes: Uint8Array, size: { width: number; height: number }) => {
    const meta = await sharp(bytes).metadata();
    expect(meta).toMatchObject({ format: 'png', channels: 4, depth: 'uchar', space: 'srgb', ...size });
  };

  it('applies EXIF orientation before the model sees the photo', async () => {
    // What a phone writes: pixels stored sideways (300×451) plus orientation 6, "turn 90° clockwise to view".
    const sideways = await sharp(fixture('chelsea.png')).rotate(270).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    expect(await sharp(sideways).metadata()).toMatchObject({ width: 300, height: 451, orientation: 6 });

    const result = await run(sideways);
    await expectRgba8(result.bytes, { width: 451, height: 300 });
    // Upright again, the cat is segmented as well as in the original.
    const alpha = await alphaOf(result.bytes);
    expect(shareOf(alpha, { left: 150, top: 60, width: 150, height: 160 }, (a) => a > 200)).toBeGreaterThan(0.95);
    expect(shareOf(alpha, { left: 405, top: 0, width: 46, height: 50 }, (a) => a < 30)).toBeGreaterThan(0.9);
  });

  it('reads a 16-bit PNG', async () => {
    const deep = await sharp(fixture('chelsea.png')).toColourspace('rgb16').png().toBuffer();
    expect((await sharp(deep).metadata()).depth).toBe('ushort');
    await expectRgba8((await run(deep)).bytes, { width: 451, height: 300 });
  });

  it('converts a CMYK JPEG to sRGB with its colours intact', async () => {
    const cmyk = await sharp(fixture('chelsea.png')).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');

    const result = await run(cmyk);
    await expectRgba8(result.bytes, { width: 451, height: 300 });
    const before = await sharp(fixture('chelsea.png')).removeAlpha().stats();
    const after = await sharp(result.bytes).removeAlpha().stats();
    for (const i of [0, 1, 2]) {
      expect(Math.abs(after.channels[i]!.mean - before.channels[i]!.mean)).toBeLessThan(12);
    }
  });

  it('reads a palette PNG', async () => {
    const palette = await sharp(fixture('smarties.png')).png({ palette: true }).toBuffer();
    expect((await sharp(palette).metadata()).isPalette).toBe(true);
    await expectRgba8((await run(palette)).bytes, { width: 413, height: 356 });
  });

  it('takes the first frame of an animated GIF', async () => {
    const frames = await Promise.all(
      ['chelsea.png', 'horse.png'].map((name) =>
        sharp(fixture(name)).resize(200, 150, { fit: 'fill' }).png().toBuffer(),
      ),
    );
    const gif = await sharp(frames, { join: { animated: true } })
      .gif()
      .toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(2);

    await expectRgba8((await run(gif)).bytes, { width: 200, height: 150 });
  });

  it('refuses bytes that are not an image as input_unreadable, which no retry can fix', async () => {
    const truncated = fixture('chelsea.png').subarray(0, 20_000);
    for (const bytes of [new TextEncoder().encode('not an image'), truncated]) {
      const failure = await run(bytes).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(PipelineError);
      expect(failure).toMatchObject({ code: 'input_unreadable', retryable: false });
    }
  });
});

describe('removeBackground options (remove.bg compatible)', () => {
  it('crop trims the result to the subject: the uncropped cut-out, inside its alpha bounding box', async () => {
    const full = await runWith(fixture('horse.png'), {});
    const cropped = await runWith(fixture('horse.png'), { crop: 'true' });
    const box = boxOf(await alphaOf(full.bytes));
    expect(cropped.info).toMatchObject({ width: box.width, height: box.height });
    expect(box.width * box.height).toBeLessThan(full.info.width * full.info.height);
    const expected = await sharp(full.bytes).extract(box).raw().toBuffer();
    expect((await sharp(cropped.bytes).raw().toBuffer()).equals(expected)).toBe(true);
  });

  it('crop_margin adds pixels or a share of the subject on each side, clamped to the image', async () => {
    const full = await runWith(fixture('horse.png'), {});
    const box = boxOf(await alphaOf(full.bytes));
    const grown = (marginX: number, marginY: number) => {
      const x0 = Math.max(0, box.left - marginX);
      const y0 = Math.max(0, box.top - marginY);
      const x1 = Math.min(full.info.width, box.left + box.width + marginX);
      const y1 = Math.min(full.info.height, box.top + box.height + marginY);
      return { width: x1 - x0, height: y1 - y0 };
    };

    const px = await runWith(fixture('horse.png'), { crop: 'true', crop_margin: '20px' });
    expect(px.info).toMatchObject(grown(20, 20));
    expect(px.info.width).toBeGreaterThan(box.width);

    const percent = await runWith(fixture('horse.png'), { crop: 'true', crop_margin: '10%' });
    expect(percent.info).toMatchObject(grown(Math.round(box.width * 0.1), Math.round(box.height * 0.1)));

    // The largest margin cannot leave the image.
    const huge = await runWith(fixture('horse.png'), { crop: 'true', crop_margin: '500px' });
    expect(huge.info).toMatchObject({ width: full.info.width, height: full.info.height });
  });

  it('crop_margin without crop changes nothing', async () => {
    const result = await runWith(fixture('horse.png'), { crop_margin: '20px' });
    expect(result.info).toMatchObject({ width: 400, height: 328 });
  });

  it('bg_color fills the background: an opaque image whose corner is the fill and whose subject is unchanged', async () => {
    const plain = await runWith(fixture('chelsea.png'), {});
    const filled = await runWith(fixture('chelsea.png'), { bg_color: '#81d4fa' });
    const meta = await sharp(filled.bytes).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 451, height: 300, channels: 3, hasAlpha: false });

    const rgb = await sharp(filled.bytes).raw().toBuffer();
    const rgba = await sharp(plain.bytes).raw().toBuffer();
    const pixel = (x: number, y: number) => [...rgb.subarray((y * 451 + x) * 3, (y * 451 + x) * 3 + 3)];
    // The top-left corner is blurred room (alpha near 0): nearly the fill.
    expect(rgba[3]).toBeLessThan(5);
    pixel(0, 0).forEach((value, i) => {
      expect(Math.abs(value - [0x81, 0xd4, 0xfa][i]!)).toBeLessThanOrEqual(3);
    });
    // Everywhere, out = fg·a + bg·(1−a), to rounding.
    let worst = 0;
    for (let i = 0, j = 0; i < 451 * 300; i++, j += 3) {
      const a = rgba[i * 4 + 3]! / 255;
      for (const [c, bg] of [0x81, 0xd4, 0xfa].entries()) {
        worst = Math.max(worst, Math.abs(rgb[j + c]! - (rgba[i * 4 + c]! * a + bg * (1 - a))));
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('bg_color by name works, and a translucent fill keeps an alpha channel', async () => {
    // horse.png's top-right corner is background the model leaves at alpha 0: exactly the fill.
    const named = await runWith(fixture('horse.png'), { bg_color: 'red' });
    expect(await sharp(named.bytes).metadata()).toMatchObject({ channels: 3 });
    const rgb = await sharp(named.bytes).raw().toBuffer();
    expect([...rgb.subarray(399 * 3, 400 * 3)]).toEqual([255, 0, 0]);
    const translucent = await runWith(fixture('horse.png'), { bg_color: 'ff000080' });
    const alpha = await alphaOf(translucent.bytes);
    expect(alpha.data[399]).toBe(128);
  });

  it('channels=alpha returns the mask alone: 1-channel grey equal to the cut-out alpha', async () => {
    const rgba = await runWith(fixture('chelsea.png'), {});
    const mask = await runWith(fixture('chelsea.png'), { channels: 'alpha' });
    expect(await sharp(mask.bytes).metadata()).toMatchObject({ format: 'png', channels: 1, width: 451, height: 300 });
    // sharp decodes to sRGB unless told otherwise: read the one grey channel as stored.
    const maskPixels = await sharp(mask.bytes).extractChannel(0).raw().toBuffer();
    expect(maskPixels.equals((await alphaOf(rgba.bytes)).data)).toBe(true);
  });

  it('channels=alpha with crop gives the cropped mask', async () => {
    const cut = await runWith(fixture('horse.png'), { crop: 'true' });
    const mask = await runWith(fixture('horse.png'), { crop: 'true', channels: 'alpha' });
    expect(mask.info).toMatchObject({ width: cut.info.width, height: cut.info.height });
    const maskPixels = await sharp(mask.bytes).extractChannel(0).raw().toBuffer();
    expect(maskPixels.equals((await alphaOf(cut.bytes)).data)).toBe(true);
  });

  it('webp still works with the options', async () => {
    const png = await runWith(fixture('fruits.jpg'), { crop: 'true', bg_color: 'black' });
    const webp = await runWith(fixture('fruits.jpg'), { crop: 'true', bg_color: 'black', format: 'webp' });
    expect(webp.info).toMatchObject({ format: 'webp', width: png.info.width, height: png.info.height });
    expect(await sharp(webp.bytes).metadata()).toMatchObject({ format: 'webp', hasAlpha: false });
    // Lossless: the same pixels as the PNG.
    expect((await sharp(webp.bytes).raw().toBuffer()).equals(await sharp(png.bytes).raw().toBuffer())).toBe(true);
  });
});

describe('removeBackground refuses images without a subject', () => {
  it('fails a uniform grey image and pure noise with no_subject, which no retry can fix', async () => {
    let seed = 7;
    const noise = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed & 255;
    };
    for (const bytes of [await syntheticPng(640, 480, () => 128), await syntheticPng(640, 480, noise)]) {
      const failure = await run(bytes).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(PipelineError);
      expect(failure).toMatchObject({ code: 'no_subject', retryable: false });
    }
  });

  it('keeps real photos with small or many subjects: the indoor scene and the scattered sweets', async () => {
    for (const name of ['home.jpg', 'smarties.png']) {
      const result = await run(fixture(name));
      expect(result.info.bytes).toBeGreaterThan(0);
    }
  });
});

describe('removeBackground with a background image (bg_image_file)', () => {
  it('puts the background image, scaled to cover, behind the subject: pixels off the subject come from it', async () => {
    const photo = fixture('chelsea.png');
    // Taller than the photo: covering 451×300 keeps its middle 300 rows, green on the left and blue on the
    // right; the red bands above and below must be cropped away, never squeezed in.
    const band = { width: 451, height: 150, channels: 3, background: '#ff0000' } as const;
    const half = (colour: string) =>
      ({ create: { width: 226, height: 300, channels: 3, background: colour } }) as const;
    const background = await sharp({ create: { ...band, height: 600 } })
      .composite([
        { input: half('#00c000'), left: 0, top: 150 },
        { input: half('#0000ff'), left: 225, top: 150 },
      ])
      .png()
      .toBuffer();

    const plain = await alphaOf((await run(photo)).bytes);
    const composite = await removeBackground({
      session,
      bytes: photo,
      params: RemoveBackgroundParams.parse({}),
      background,
    });
    const { data, info } = await sharp(composite.bytes).raw().toBuffer({ resolveWithObject: true });
    expect(info).toMatchObject({ width: 451, height: 300, channels: 3 });
    const original = await sharp(photo).removeAlpha().raw().toBuffer();

    let behind = 0;
    let subject = 0;
    for (let y = 0; y < 300; y++) {
      for (let x = 0; x < 451; x++) {
        if (x >= 220 && x <= 230) continue;
        const at = y * 451 + x;
        const [r, g, b] = [data[at * 3]!, data[at * 3 + 1]!, data[at * 3 + 2]!];
        const a = plain.data[at]!;
        if (a < 3) {
          behind++;
          // Alpha below 3/255 lets at most 2 levels of the photo through.
          const expected = x < 220 ? [0, 192, 0] : [0, 0, 255];
          expect(Math.max(...[r, g, b].map((v, i) => Math.abs(v - expected[i]!)))).toBeLessThanOrEqual(2);
        } else if (a > 252) {
          subject++;
          // And alpha above 252/255 lets at most 3 levels of the background through.
          expect(Math.abs(r - original[at * 3]!)).toBeLessThanOrEqual(3);
          expect(Math.abs(g - original[at * 3 + 1]!)).toBeLessThanOrEqual(3);
          expect(Math.abs(b - original[at * 3 + 2]!)).toBeLessThanOrEqual(3);
        }
      }
    }
    // Both regions are large in this photo, so the checks above looked at thousands of pixels each.
    expect(behind).toBeGreaterThan(10_000);
    expect(subject).toBeGreaterThan(10_000);
  });

  it('fails a background that does not decode as input_unreadable, which retrying cannot fix', async () => {
    const error = await removeBackground({
      session,
      bytes: fixture('chelsea.png'),
      params: RemoveBackgroundParams.parse({}),
      background: new TextEncoder().encode('not an image'),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineError);
    expect(error).toMatchObject({ code: 'input_unreadable', retryable: false });
  });
});
