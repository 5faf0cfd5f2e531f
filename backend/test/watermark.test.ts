import sharp, { type Create } from 'sharp';
import { describe, expect, it } from 'vitest';
import { applyWatermark } from '../src/watermark/index.ts';
import { fixture } from './support/fixtures.ts';

interface Pixels {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

/** Decoded 8-bit samples, in the image's own channels (1 to 4). */
const pixelsOf = async (bytes: Uint8Array): Promise<Pixels> => {
  const { data, info } = await sharp(bytes).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
};

const solid = (width: number, height: number, channels: 3 | 4, background: Create['background']) =>
  sharp({ create: { width, height, channels, background } });

const transparent = { r: 0, g: 0, b: 0, alpha: 0 };

/**
 * The fraction of pixels in each quadrant (top-left, top-right, bottom-left, bottom-right) for which `changed`
 * holds, given the sample offset of the pixel in `before` and `after` (same size and channels).
 */
const fractionPerQuadrant = (
  before: Pixels,
  after: Pixels,
  changed: (before: Buffer, after: Buffer, offset: number) => boolean,
): number[] => {
  expect([after.width, after.height, after.channels]).toEqual([before.width, before.height, before.channels]);
  const hits = [0, 0, 0, 0];
  const totals = [0, 0, 0, 0];
  for (let y = 0; y < before.height; y++) {
    for (let x = 0; x < before.width; x++) {
      const quadrant = (y < before.height / 2 ? 0 : 2) + (x < before.width / 2 ? 0 : 1);
      totals[quadrant]! += 1;
      if (changed(before.data, after.data, (y * before.width + x) * before.channels)) hits[quadrant]! += 1;
    }
  }
  return hits.map((hit, quadrant) => hit / totals[quadrant]!);
};

/** Some colour sample moved by more than `levels` (out of 255), in either direction. */
const colourMoved =
  (channels: number, levels: number) =>
  (before: Buffer, after: Buffer, offset: number): boolean => {
    const colourChannels = channels === 2 || channels === 4 ? channels - 1 : channels;
    for (let c = 0; c < colourChannels; c++) {
      if (Math.abs(after[offset + c]! - before[offset + c]!) > levels) return true;
    }
    return false;
  };

const meanOf = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;

describe('applyWatermark marks results visibly', () => {
  it('marks a real photo across every quadrant and keeps its size, format and lack of alpha', async () => {
    const photo = fixture('chelsea.png'); // 451×300 RGB
    const marked = await applyWatermark(photo, 'png');
    const metadata = await sharp(marked).metadata();
    expect([metadata.format, metadata.width, metadata.height, metadata.hasAlpha]).toEqual(['png', 451, 300, false]);
    const perQuadrant = fractionPerQuadrant(await pixelsOf(photo), await pixelsOf(marked), colourMoved(3, 24));
    // A visible mark, not a faint tint: a real share of each quadrant changes clearly, and most of it does not.
    for (const fraction of perQuadrant) expect(fraction).toBeGreaterThan(0.05);
    expect(meanOf(perQuadrant)).toBeLessThan(0.5);
  });

  it('marks a WebP result and answers WebP', async () => {
    const photo = await sharp(fixture('baboon.jpg')).webp({ lossless: true }).toBuffer(); // 512×512
    const marked = await applyWatermark(photo, 'webp');
    const metadata = await sharp(marked).metadata();
    expect([metadata.format, metadata.width, metadata.height]).toEqual(['webp', 512, 512]);
    const perQuadrant = fractionPerQuadrant(await pixelsOf(photo), await pixelsOf(marked), colourMoved(3, 24));
    for (const fraction of perQuadrant) expect(fraction).toBeGreaterThan(0.05);
  });

  it('shows dark on pure white, light on pure black, and both on mid grey', async () => {
    for (const [background, direction] of [
      ['#ffffff', 'darker'],
      ['#000000', 'lighter'],
      ['#808080', 'darker'],
      ['#808080', 'lighter'],
    ] as const) {
      const plain = await solid(512, 384, 3, background).png().toBuffer();
      const before = await pixelsOf(plain);
      const after = await pixelsOf(await applyWatermark(plain, 'png'));
      const perQuadrant = fractionPerQuadrant(before, after, (b, a, offset) =>
        direction === 'darker' ? a[offset]! < b[offset]! - 60 : a[offset]! > b[offset]! + 60,
      );
      for (const fraction of perQuadrant) expect(fraction, `${direction} on ${background}`).toBeGreaterThan(0.01);
    }
  });

  it('shows on fully transparent areas: alpha appears where it was 0, in every quadrant', async () => {
    const empty = await solid(400, 600, 4, transparent).png().toBuffer();
    const after = await pixelsOf(await applyWatermark(empty, 'png'));
    expect(after.channels).toBe(4);
    const perQuadrant = fractionPerQuadrant(await pixelsOf(empty), after, (_b, a, offset) => a[offset + 3]! > 64);
    for (const fraction of perQuadrant) expect(fraction).toBeGreaterThan(0.05);
    // The mark itself is light with a dark outline, so both appear on a transparent background.
    const opaqueEnough = (offset: number) => after.data[offset + 3]! > 96;
    let light = 0;
    let dark = 0;
    for (let offset = 0; offset < after.data.length; offset += 4) {
      if (!opaqueEnough(offset)) continue;
      if (after.data[offset]! > 200) light += 1;
      if (after.data[offset]! < 55) dark += 1;
    }
    expect(light).toBeGreaterThan(1000);
    expect(dark).toBeGreaterThan(1000);
  });

  it('is readable on a 64 px thumbnail: the mark covers a share of it like on a large image', async () => {
    const thumbnail = await sharp(fixture('baboon.jpg')).resize(64, 64).png().toBuffer();
    const perQuadrant = fractionPerQuadrant(
      await pixelsOf(thumbnail),
      await pixelsOf(await applyWatermark(thumbnail, 'png')),
      colourMoved(3, 24),
    );
    expect(meanOf(perQuadrant)).toBeGreaterThan(0.08);
  });

  it('draws the same pattern scaled to the image: a 2560 px mark shrunk to 320 px matches the 320 px mark', async () => {
    // Sizes whose tiles (128 and 1024 px) are exactly 8 times apart, so only anti-aliasing may differ.
    const small = await pixelsOf(await applyWatermark(await solid(320, 320, 3, '#808080').png().toBuffer(), 'png'));
    const large = await applyWatermark(await solid(2560, 2560, 3, '#808080').png().toBuffer(), 'png');
    const shrunk = await pixelsOf(await sharp(large).resize(320, 320).png().toBuffer());
    let markVersusGrey = 0;
    let largeVersusSmall = 0;
    for (let i = 0; i < small.data.length; i++) {
      markVersusGrey += Math.abs(small.data[i]! - 128);
      largeVersusSmall += Math.abs(small.data[i]! - shrunk.data[i]!);
    }
    // A mark of fixed pixel size would be 8 times thinner and denser on the large image and differ from the
    // small image's mark about as much as that mark differs from plain grey.
    expect(markVersusGrey).toBeGreaterThan(0);
    expect(largeVersusSmall / markVersusGrey).toBeLessThan(0.25);
  });
});

describe('applyWatermark leaves the rest of the image alone', () => {
  it('keeps every pixel the mark does not cover, alpha included, exactly as it was', async () => {
    // An image whose alpha is a gradient: opaque, half and fully transparent areas side by side.
    const width = 300;
    const height = 200;
    const raw = Buffer.alloc(width * height * 4);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        raw.set(
          [(x * 7) % 256, (y * 5) % 256, (x + y) % 256, Math.round((x / (width - 1)) * 255)],
          (y * width + x) * 4,
        );
      }
    }
    const image = await sharp(raw, { raw: { width, height, channels: 4 } })
      .png()
      .toBuffer();
    const before = await pixelsOf(image);
    const after = await pixelsOf(await applyWatermark(image, 'png'));
    // Where the mark has coverage, from the same mark on an empty image of the same size.
    const mark = await pixelsOf(
      await applyWatermark(await solid(width, height, 4, transparent).png().toBuffer(), 'png'),
    );

    let untouched = 0;
    for (let offset = 0; offset < raw.length; offset += 4) {
      const alphaBefore = before.data[offset + 3]!;
      const alphaAfter = after.data[offset + 3]!;
      if (mark.data[offset + 3] === 0) {
        untouched += 1;
        expect(alphaAfter).toBe(alphaBefore);
        // Colour under alpha 0 is invisible and not kept; everywhere else it is.
        if (alphaBefore > 0) {
          for (let c = 0; c < 3; c++)
            expect(Math.abs(after.data[offset + c]! - before.data[offset + c]!)).toBeLessThanOrEqual(1);
        }
      } else {
        // Painting over never makes a pixel more transparent.
        expect(alphaAfter).toBeGreaterThanOrEqual(alphaBefore);
      }
    }
    expect(untouched / (width * height)).toBeGreaterThan(0.5);
  });

  it('gives the same bytes for the same image every time', async () => {
    const photo = fixture('coffee.png');
    const first = await applyWatermark(photo, 'png');
    const second = await applyWatermark(photo, 'png');
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
    const webp = await sharp(photo).webp({ lossless: true }).toBuffer();
    expect(
      Buffer.from(await applyWatermark(webp, 'webp')).equals(Buffer.from(await applyWatermark(webp, 'webp'))),
    ).toBe(true);
  });
});

describe('applyWatermark accepts any size and pixel format', () => {
  const cases: Array<[string, () => Promise<Buffer>, 'png' | 'webp']> = [
    ['1×1 RGB', () => solid(1, 1, 3, '#ffffff').png().toBuffer(), 'png'],
    ['1×1 transparent', () => solid(1, 1, 4, transparent).png().toBuffer(), 'png'],
    ['1×4000', () => solid(1, 4000, 4, '#336699').png().toBuffer(), 'png'],
    ['4000×1', () => solid(4000, 1, 3, '#336699').png().toBuffer(), 'png'],
    ['4000×1 WebP', () => solid(4000, 1, 4, transparent).webp({ lossless: true }).toBuffer(), 'webp'],
    ['7×5', () => solid(7, 5, 3, '#000000').png().toBuffer(), 'png'],
    ['40×3000', () => solid(40, 3000, 3, '#ffffff').png().toBuffer(), 'png'],
    ['palette PNG', () => sharp(fixture('smarties.png')).png({ palette: true }).toBuffer(), 'png'],
    [
      'palette PNG with transparency',
      () => solid(120, 80, 4, { r: 255, g: 0, b: 0, alpha: 0 }).png({ palette: true }).toBuffer(),
      'png',
    ],
    ['16-bit RGB PNG', () => sharp(fixture('chelsea.png')).toColourspace('rgb16').png().toBuffer(), 'png'],
    ['16-bit RGBA PNG', () => solid(200, 150, 4, transparent).toColourspace('rgb16').png().toBuffer(), 'png'],
    ['greyscale PNG', () => sharp(fixture('chelsea.png')).toColourspace('b-w').png().toBuffer(), 'png'],
    [
      'greyscale+alpha PNG',
      () => solid(200, 150, 4, { r: 0, g: 0, b: 0, alpha: 0 }).toColourspace('b-w').png().toBuffer(),
      'png',
    ],
    ['16-bit greyscale PNG', () => solid(200, 150, 3, '#000000').toColourspace('grey16').png().toBuffer(), 'png'],
  ];

  for (const [name, make, format] of cases) {
    it(`keeps the size, format, channels and bit depth of a ${name}`, async () => {
      const input = await make();
      const before = await sharp(input).metadata();
      const marked = await applyWatermark(input, format);
      const after = await sharp(marked).metadata();
      expect(after.format).toBe(format);
      expect([after.width, after.height]).toEqual([before.width, before.height]);
      expect(after.hasAlpha).toBe(before.hasAlpha);
      if (format === 'png') {
        expect(after.space).toBe(before.space);
        expect(after.depth).toBe(before.depth);
      }
      if (before.width * before.height >= 100 * 100) {
        const perQuadrant = fractionPerQuadrant(
          await pixelsOf(input),
          await pixelsOf(marked),
          (b, a, offset) =>
            a.subarray(offset, offset + before.channels).compare(b, offset, offset + before.channels) !== 0,
        );
        for (const fraction of perQuadrant) expect(fraction, name).toBeGreaterThan(0.03);
      }
    });
  }

  it('marks an 8192×8192 PNG without holding a decoded copy of it in memory', async () => {
    const huge = await solid(8192, 8192, 4, transparent).png().toBuffer();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    // The work runs on libuv's threads, so the event loop is free to sample memory meanwhile.
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 10);
    let marked: Uint8Array;
    try {
      marked = await applyWatermark(huge, 'png');
    } finally {
      clearInterval(sampler);
    }
    const metadata = await sharp(marked).metadata();
    expect([metadata.width, metadata.height, metadata.hasAlpha]).toEqual([8192, 8192, true]);
    const decodedBytes = 8192 * 8192 * 4;
    expect(rssPeak - rssBefore).toBeLessThan(decodedBytes);
  });
});
