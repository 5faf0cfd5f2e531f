import { availableParallelism } from 'node:os';
import type { UpscaleModel } from '@lumina/shared';
import { StageTimings } from '@lumina/shared';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/index.ts';
import { loadUpscaleSession, type UpscaleSession } from '../src/inference/load-upscale-session.ts';
import { loadModelRegistry, type ModelRegistry } from '../src/models/registry.ts';
import { chooseUpscaleModel } from '../src/pipeline/choose-upscale-model.ts';
import { upscaleImage } from '../src/pipeline/upscale-image.ts';
import { fixture, modelsDir } from './support/fixtures.ts';

let registry: ModelRegistry;
beforeAll(async () => {
  registry = await loadModelRegistry(modelsDir);
});

const sessionFor = async (scale: number, model: UpscaleModel = 'slim'): Promise<UpscaleSession> =>
  loadUpscaleSession({
    registry,
    model: chooseUpscaleModel(registry, { scale, model }),
    executionProvider: 'cpu',
    intraOpThreads: availableParallelism(),
    log: silentLogger,
  });

/** A PNG of part of a fixture photo, kept small so the 2-core CI machine runs the models quickly. */
const cropOf = (name: string, rect: { left: number; top: number; width: number; height: number }) =>
  sharp(fixture(name)).extract(rect).removeAlpha().png().toBuffer();

/** Raw 8-bit pixels of an encoded image, with its channel count. */
const rawOf = async (bytes: Uint8Array) => {
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
};

/** The mean absolute difference, per channel value, between the RGB of an image and a lanczos3 resize of `input`. */
async function meanDiffFromLanczos(input: Buffer, output: Uint8Array): Promise<number> {
  const out = await rawOf(output);
  const expected = await sharp(input)
    .rotate()
    .resize(out.width, out.height, { fit: 'fill', kernel: 'lanczos3' })
    .removeAlpha()
    .raw()
    .toBuffer();
  let sum = 0;
  for (let i = 0, j = 0; i < expected.length; i += 3, j += out.channels) {
    for (let c = 0; c < 3; c++) sum += Math.abs((expected[i + c] ?? 0) - (out.data[j + c] ?? 0));
  }
  return sum / expected.length;
}

describe('upscaleImage on real photos', () => {
  it('makes a 2× RGB PNG of exactly twice the size that is the same picture as a lanczos resize', async () => {
    const input = await cropOf('chelsea.png', { left: 170, top: 70, width: 72, height: 56 });
    const result = await upscaleImage({ session: await sessionFor(2), bytes: input, scale: 2, format: 'png' });

    const meta = await sharp(result.bytes).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 144, height: 112, channels: 3, depth: 'uchar' });
    expect(result.info).toEqual({ format: 'png', width: 144, height: 112, bytes: result.bytes.length });
    expect(StageTimings.parse(result.timings).inferenceMs).toBeGreaterThan(0);
    expect(await meanDiffFromLanczos(input, result.bytes)).toBeLessThan(6);
  });

  it('makes a 4× lossless WebP of exactly four times the size, across several tiles', async () => {
    const input = await cropOf('baboon.jpg', { left: 200, top: 150, width: 60, height: 44 });
    const progress: number[] = [];
    const result = await upscaleImage({
      session: await sessionFor(4),
      bytes: input,
      scale: 4,
      format: 'webp',
      tileSizePx: 32,
      overlapPx: 12,
      onTileDone: (fraction) => {
        progress.push(fraction);
      },
    });

    const meta = await sharp(result.bytes).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 240, height: 176 });
    // Several tiles, each reported once, in order, ending at 1.
    expect(progress.length).toBeGreaterThan(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(1);
    expect(await meanDiffFromLanczos(input, result.bytes)).toBeLessThan(12);
  });

  it('upscales with thick, whose values run 0–1 rather than 0–255', async () => {
    const input = await cropOf('coffee.png', { left: 250, top: 150, width: 48, height: 40 });
    const session = await sessionFor(2, 'thick');
    expect(session.model.input.range).toEqual([0, 1]);
    const result = await upscaleImage({ session, bytes: input, scale: 2, format: 'png' });

    expect(result.info).toMatchObject({ width: 96, height: 80 });
    expect(await meanDiffFromLanczos(input, result.bytes)).toBeLessThan(6);
  });
});

describe('upscaleImage tiles without visible seams', () => {
  it('gives tiled output within one level of a single-tile run (64×64, tiles of 32 overlapping by 12)', async () => {
    const session = await sessionFor(2);
    const input = await cropOf('baboon.jpg', { left: 220, top: 220, width: 64, height: 64 });
    const whole = await rawOf(
      (await upscaleImage({ session, bytes: input, scale: 2, format: 'png', tileSizePx: 64, overlapPx: 0 })).bytes,
    );
    const tiled = await rawOf(
      (await upscaleImage({ session, bytes: input, scale: 2, format: 'png', tileSizePx: 32, overlapPx: 12 })).bytes,
    );

    expect(tiled.width).toBe(128);
    let maxDiff = 0;
    for (let i = 0; i < whole.data.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs((whole.data[i] ?? 0) - (tiled.data[i] ?? 0)));
    }
    expect(maxDiff).toBeLessThanOrEqual(1);
  });
});

describe('upscaleImage batches the tiles of one image', () => {
  it('stacks tiles into runs of up to maxBatch whose result equals one tile at a time', async () => {
    const batchSizes: number[] = [];
    const batched = await loadUpscaleSession({
      registry,
      model: chooseUpscaleModel(registry, { scale: 4, model: 'slim' }),
      executionProvider: 'cpu',
      intraOpThreads: availableParallelism(),
      maxBatch: 4,
      batchWaitMs: 50,
      observer: { batch: (_model, _provider, size) => batchSizes.push(size), queueWait: () => {} },
      log: silentLogger,
    });
    expect(batched.maxBatch).toBe(4);
    // 60×44 in tiles of 32 overlapping by 12: 3 columns × 2 rows.
    const input = await cropOf('baboon.jpg', { left: 200, top: 150, width: 60, height: 44 });
    const options = { bytes: input, scale: 4, format: 'png', tileSizePx: 32, overlapPx: 12 } as const;
    const progress: number[] = [];
    const stacked = await upscaleImage({ ...options, session: batched, onTileDone: (f) => void progress.push(f) });
    const single = await upscaleImage({ ...options, session: await sessionFor(4) });

    expect(batchSizes.reduce((a, b) => a + b, 0)).toBe(6);
    expect(Math.max(...batchSizes)).toBe(4);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6].map((n) => n / 6));
    const a = await rawOf(stacked.bytes);
    const b = await rawOf(single.bytes);
    expect(a.width).toBe(240);
    let maxDiff = 0;
    for (let i = 0; i < a.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs((a.data[i] ?? 0) - (b.data[i] ?? 0)));
    expect(maxDiff).toBeLessThanOrEqual(1);
  });
});

describe('upscaleImage normalises what users upload', () => {
  it('keeps an alpha channel: a transparent region stays transparent at the same place after 2×', async () => {
    const { data, info } = await sharp(fixture('chelsea.png'))
      .extract({ left: 170, top: 70, width: 48, height: 40 })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    // The left half transparent, the right half opaque.
    for (let y = 0; y < info.height; y++) {
      for (let x = 0; x < info.width / 2; x++) data[(y * info.width + x) * 4 + 3] = 0;
    }
    const input = await sharp(data, { raw: { width: info.width, height: info.height, channels: 4 } })
      .png()
      .toBuffer();

    const result = await upscaleImage({ session: await sessionFor(2), bytes: input, scale: 2, format: 'png' });
    const out = await rawOf(result.bytes);

    expect(out).toMatchObject({ width: 96, height: 80, channels: 4 });
    // Away from the edge between the halves (x = 48 in the output), where lanczos blends them.
    for (let y = 0; y < out.height; y++) {
      for (let x = 0; x < out.width; x++) {
        const alpha = out.data[(y * out.width + x) * 4 + 3];
        if (x < 44) expect(alpha).toBe(0);
        if (x >= 52) expect(alpha).toBe(255);
      }
    }
  });

  it('applies EXIF orientation before upscaling', async () => {
    const upright = await cropOf('chelsea.png', { left: 170, top: 70, width: 56, height: 40 });
    // Orientation 6 means "rotate 90° clockwise to view": stored pixels are the upright ones turned back.
    const stored = await sharp(upright).rotate(-90).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    expect((await sharp(stored).metadata()).width).toBe(40);

    const result = await upscaleImage({ session: await sessionFor(2), bytes: stored, scale: 2, format: 'png' });

    expect(result.info).toMatchObject({ width: 112, height: 80 });
    expect(await meanDiffFromLanczos(upright, result.bytes)).toBeLessThan(8);
  });
});

describe('chooseUpscaleModel', () => {
  it('picks the first registered upscaler for the scale and size', () => {
    expect(chooseUpscaleModel(registry, { scale: 4, model: 'slim' }).id).toBe('esrgan-slim-x4');
    expect(chooseUpscaleModel(registry, { scale: 3, model: 'thick' }).id).toBe('esrgan-thick-x3');
    expect(() => chooseUpscaleModel(registry, { scale: 5, model: 'slim' })).toThrow(/no slim upscaler for 5×/);
  });

  it("lets an operator's model listed first take a size's place, with no code change", () => {
    const thick = chooseUpscaleModel(registry, { scale: 4, model: 'thick' });
    const realEsrgan = { ...thick, id: 'real-esrgan-x4plus', file: 'RealESRGAN_x4plus.onnx' };
    const edited = { ...registry, models: [realEsrgan, ...registry.models] };
    expect(chooseUpscaleModel(edited, { scale: 4, model: 'thick' }).id).toBe('real-esrgan-x4plus');
    expect(chooseUpscaleModel(edited, { scale: 4, model: 'slim' }).id).toBe('esrgan-slim-x4');
  });
});
