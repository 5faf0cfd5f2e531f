import { StageTimings } from '@lumina/shared';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ModelSession, PipelineError, removeBackground } from '../src/index.ts';
import { alphaOf, fixture, loadTestSession, shareOf } from './support/fixtures.ts';

let session: ModelSession;
beforeAll(async () => {
  session = await loadTestSession();
});

const run = (bytes: Uint8Array, format: 'png' | 'webp' = 'png') =>
  removeBackground({ session, bytes, params: { format } });

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
