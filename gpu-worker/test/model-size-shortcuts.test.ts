import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { loadModelRegistry, modelFor } from '../src/index.ts';
import type { MaskModelEntry } from '../src/models/registry.ts';
import { applyMask } from '../src/pipeline/apply-mask.ts';
import { decodeImage } from '../src/pipeline/decode-image.ts';
import { toModelInput } from '../src/pipeline/to-model-input.ts';
import { fixture, modelsDir } from './support/fixtures.ts';

// An image already at the model's size (1024², a common design size) skips libvips for the resize to the model and
// for the mask back to the image. These check that the shortcut gives exactly what the resize would have.

const isnet = async (): Promise<MaskModelEntry> => {
  const model = modelFor(await loadModelRegistry(modelsDir), 'remove-background', 'cpu');
  if (model.operation !== 'remove-background') throw new Error('not a mask model');
  return model;
};

/** A photo at `width`×`height` with an alpha ramp, so a shortcut that read the alpha as a colour would show. */
async function photoWithAlpha(width: number, height: number) {
  const rgb = await sharp(fixture('fruits.jpg')).resize(width, height, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  const alpha = Buffer.alloc(width * height);
  for (let i = 0; i < alpha.length; i++) alpha[i] = i % 256;
  const png = await sharp(rgb, { raw: { width, height, channels: 3 } })
    .joinChannel(alpha, { raw: { width, height, channels: 1 } })
    .png()
    .toBuffer();
  return decodeImage(png);
}

describe('an image at the model size', () => {
  it('gives the model the same tensor as resizing it through libvips would', async () => {
    const { input } = await isnet();
    const image = await photoWithAlpha(input.width, input.height);
    const tensor = await toModelInput(image, input);

    const rgb = await sharp(image.pixels, { raw: { width: image.width, height: image.height, channels: 4 } })
      .removeAlpha()
      .resize(input.width, input.height, { fit: 'fill', kernel: 'linear' })
      .raw()
      .toBuffer();
    const plane = input.width * input.height;
    const expected = new Float32Array(3 * plane);
    for (let i = 0; i < plane; i++) {
      for (let c = 0; c < 3; c++) {
        expected[c * plane + i] = ((rgb[3 * i + c] ?? 0) - (input.mean[c] ?? 0)) * (1 / (input.std[c] ?? 1));
      }
    }
    expect(Buffer.from(tensor.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
    // The general path (a smaller image) still goes through the resize and fills the whole tensor.
    const small = await toModelInput(await photoWithAlpha(451, 300), input);
    expect(small.length).toBe(3 * plane);
  });

  it('takes the mask as the alpha channel exactly as resizing it to the same size would', async () => {
    const { input, output } = await isnet();
    const image = await photoWithAlpha(input.width, input.height);
    const data = new Float32Array(input.width * input.height);
    for (let i = 0; i < data.length; i++) data[i] = ((i * 7919) % 1000) / 999;
    const mask = { data, width: input.width, height: input.height };
    const before = Buffer.from(image.pixels);

    const alpha = await applyMask(image, mask, output);

    const [low, high] = output.range;
    const mask8 = new Uint8ClampedArray(data.length);
    for (let i = 0; i < data.length; i++) mask8[i] = ((data[i] ?? 0) - low) * (255 / (high - low));
    const resized = await sharp(mask8, { raw: { width: mask.width, height: mask.height, channels: 1 } })
      .toColourspace('b-w')
      .resize(image.width, image.height, { fit: 'fill', kernel: 'linear' })
      .raw()
      .toBuffer();
    expect(alpha.equals(resized)).toBe(true);
    // Every pixel keeps its colour and takes the mask as its alpha.
    const expected = Buffer.from(before);
    for (let i = 0; i < data.length; i++) expected[4 * i + 3] = resized[i] ?? 0;
    expect(image.pixels.equals(expected)).toBe(true);
  });
});
