import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { EditFailure } from '../src/edit/edit-failure.ts';
import { finishEdit } from '../src/edit/finish-edit.ts';
import { maxSentSidePx, prepareEditInput } from '../src/edit/prepare-edit-input.ts';
import { fixture } from './support/harness.ts';

/** Random pixels: the worst case for compression, so the byte limit really bites. */
const noise = (width: number, height: number, channels: 3 | 4 = 3) => {
  const data = Buffer.alloc(width * height * channels);
  for (let i = 0; i < data.length; i += 1) data[i] = (i * 2654435761) >>> 24;
  return sharp(data, { raw: { width, height, channels } });
};

describe('preparing the input for Gemini', () => {
  it('sends a small photo at its own size, as JPEG, without its metadata', async () => {
    const prepared = await prepareEditInput(fixture('home.jpg'));
    expect(prepared).toMatchObject({
      mimeType: 'image/jpeg',
      original: { width: 512, height: 384 },
      sent: { width: 512, height: 384 },
    });
    const meta = await sharp(prepared.image).metadata();
    expect([meta.format, meta.width, meta.height, meta.exif]).toEqual(['jpeg', 512, 384, undefined]);
  });

  it('downscales a large image to the side limit, keeping the aspect ratio', async () => {
    const big = await noise(6000, 2000).png({ compressionLevel: 1 }).toBuffer();
    const prepared = await prepareEditInput(big);
    expect(prepared.original).toEqual({ width: 6000, height: 2000 });
    expect(prepared.sent).toEqual({ width: maxSentSidePx, height: 1024 });
    const meta = await sharp(prepared.image).metadata();
    expect([meta.width, meta.height]).toEqual([maxSentSidePx, 1024]);
  });

  it('shrinks further until the request fits the byte limit', async () => {
    const image = await noise(1600, 1200).png({ compressionLevel: 1 }).toBuffer();
    const maxBytes = 150_000;
    const prepared = await prepareEditInput(image, { maxSidePx: 3072, maxBytes });
    expect(prepared.image.length).toBeLessThanOrEqual(maxBytes);
    expect(prepared.sent.width).toBeLessThan(1600);
    expect(prepared.sent.width / prepared.sent.height).toBeCloseTo(4 / 3, 1);
  });

  it('keeps transparency as PNG', async () => {
    const prepared = await prepareEditInput(fixture('horse.png'));
    expect(prepared.mimeType).toBe('image/png');
    expect((await sharp(prepared.image).metadata()).hasAlpha).toBe(true);
  });

  it('applies EXIF orientation, so the model sees the photo upright', async () => {
    const sideways = await sharp(fixture('home.jpg')).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const prepared = await prepareEditInput(sideways);
    expect(prepared.original).toEqual({ width: 384, height: 512 });
    const meta = await sharp(prepared.image).metadata();
    expect([meta.width, meta.height]).toEqual([384, 512]);
  });

  it('turns formats the API does not take (GIF, TIFF) into one it does', async () => {
    const gif = await sharp(fixture('home.jpg')).gif().toBuffer();
    expect((await prepareEditInput(gif)).mimeType).toMatch(/^image\/(png|jpeg)$/);
    const tiff = await sharp(fixture('home.jpg')).tiff().toBuffer();
    expect((await prepareEditInput(tiff)).mimeType).toBe('image/jpeg');
  });

  it('refuses bytes that are not an image with input_unreadable', async () => {
    await expect(prepareEditInput(Buffer.from('hello'))).rejects.toMatchObject({
      name: 'EditFailure',
      code: 'input_unreadable',
    });
    await expect(prepareEditInput(Buffer.from('hello'))).rejects.toBeInstanceOf(EditFailure);
  });
});

describe("finishing the model's answer", () => {
  const answer = (width: number, height: number) =>
    sharp({ create: { width, height, channels: 3, background: '#3366cc' } })
      .png()
      .toBuffer();

  it('treats a rounding difference in aspect ratio as the same frame (no crop)', async () => {
    const done = await finishEdit({
      modelImage: await answer(1024, 683),
      original: { width: 451, height: 300 },
      sent: { width: 451, height: 300 },
      size: 'original',
      format: 'png',
    });
    expect([done.width, done.height, done.resize.cropped]).toEqual([451, 300, false]);
  });

  it('covers and centre-crops when the model changed the frame', async () => {
    const done = await finishEdit({
      modelImage: await answer(1024, 1024),
      original: { width: 600, height: 300 },
      sent: { width: 600, height: 300 },
      size: 'original',
      format: 'webp',
    });
    expect([done.width, done.height, done.resize.cropped, done.contentType]).toEqual([600, 300, true, 'image/webp']);
    const meta = await sharp(done.bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 600, 300]);
  });
});
