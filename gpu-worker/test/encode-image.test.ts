import { randomBytes } from 'node:crypto';
import { constants, crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeImage } from '../src/pipeline/encode-image.ts';
import { adler32, deflateStrategyFor, encodePng } from '../src/pipeline/encode-png.ts';
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
  it.each([
    ['grey 1024²', 1024, 1024, 1],
    ['RGB 1024²', 1024, 1024, 3],
    ['RGBA 1024²', 1024, 1024, 4],
    ['RGBA 3000×2800, a camera-sized cut-out', 3000, 2800, 4],
    ['RGB 1×1', 1, 1, 3],
    ['grey 7×5', 7, 5, 1],
    ['RGBA 5×9', 5, 9, 4],
    ['RGB 13×11, rows that end mid-word', 13, 11, 3],
    ['grey 4097×3', 4097, 3, 1],
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

/** A poster-like flat graphic: large single-colour areas, as a designer's upscale input may be. */
async function flatGraphic(width: number, height: number) {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#f4f1ea"/><circle cx="40%" cy="40%" r="30%" fill="#e4572e"/><rect x="50%" y="55%" width="40%" height="30%" rx="24" fill="#29335c"/></svg>`;
  const { data } = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { pixels: data, width, height, channels: 4 as const };
}

/** Each chunk of a PNG file: its type, its data, and whether its CRC-32 matches. */
function chunksOf(png: Buffer) {
  const chunks = [];
  for (let offset = 8; offset < png.length; ) {
    const length = png.readUInt32BE(offset);
    const type = png.subarray(offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    const crc = png.readUInt32BE(offset + 8 + length);
    chunks.push({ type: type.toString('latin1'), length, crcMatches: crc === crc32(data, crc32(type)) });
    offset += 12 + length;
  }
  return chunks;
}

describe('encodePng', () => {
  it('writes a well-formed PNG: signature, IHDR, IDATs of at most 1 MiB, IEND, every CRC right', async () => {
    // Noise does not compress, so its 4 MiB of pixels need several IDAT chunks.
    const pixels = randomBytes(1024 * 1024 * 4);
    const png = await encodePng({ pixels, width: 1024, height: 1024, channels: 4 });
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const chunks = chunksOf(png);
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IDAT', 'IDAT', 'IDAT', 'IDAT', 'IEND']);
    expect(chunks.every((c) => c.crcMatches)).toBe(true);
    expect(chunks.filter((c) => c.type === 'IDAT').every((c) => c.length <= 1 << 20)).toBe(true);
    const { data } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect(data.equals(pixels)).toBe(true);
  });

  it.each([2, 3, 8])(
    'deflates in %i parts at once into one stream that decodes to the same pixels',
    async (threads) => {
      const image = await raster(1500, 1200, 4);
      const png = await encodePng(image, { threads });
      const { data } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
      expect(data.equals(image.pixels)).toBe(true);
      // The parts lose only each other's window: the file stays within 1% of the one-stream encode.
      const single = await encodePng(image, { threads: 1 });
      expect(png.length / single.length).toBeLessThan(1.01);
      expect(png.equals(single)).toBe(false);
    },
    60_000,
  );

  it('deflates flat graphics with run-length matches and photos with Huffman coding alone, part by part', async () => {
    const photo = await raster(1024, 1024, 4);
    const flat = await flatGraphic(1024, 1024);
    const huffmanOnly = { strategy: constants.Z_HUFFMAN_ONLY };
    const runLength = { strategy: constants.Z_RLE };
    expect((await encodePng(photo)).equals(await encodePng(photo, huffmanOnly))).toBe(true);
    expect((await encodePng(flat)).equals(await encodePng(flat, runLength))).toBe(true);
    expect((await encodePng(flat)).length).toBeLessThan((await encodePng(flat, huffmanOnly)).length / 4);

    // Top half photo, bottom half poster: with two parts each half gets its own strategy.
    const half = 1024 * 512 * 4;
    const mixed = {
      ...photo,
      pixels: Buffer.concat([photo.pixels.subarray(0, half), flat.pixels.subarray(half)]),
    };
    const png = await encodePng(mixed, { threads: 2 });
    expect((await sharp(png).raw().toBuffer()).equals(mixed.pixels)).toBe(true);
    expect(png.length).toBeLessThan((await encodePng(mixed, { ...huffmanOnly, threads: 2 })).length);
    expect(png.length).toBeLessThan((await encodePng(mixed, { ...runLength, threads: 2 })).length);
  });

  it('samples how often a filtered byte repeats the one before to choose the strategy', () => {
    expect(deflateStrategyFor(new Uint8Array(10_000))).toBe(constants.Z_RLE);
    expect(deflateStrategyFor(randomBytes(10_000))).toBe(constants.Z_HUFFMAN_ONLY);
    // Half the pairs repeating is above the two-in-five line; none repeating is below it.
    const runsOf = (length: number) => Uint8Array.from({ length: 100_000 }, (_, i) => Math.floor(i / length) % 256);
    expect(deflateStrategyFor(runsOf(2))).toBe(constants.Z_RLE);
    expect(deflateStrategyFor(runsOf(1))).toBe(constants.Z_HUFFMAN_ONLY);
  });

  it('computes the Adler-32 zlib computes', () => {
    expect(adler32(Buffer.from('Wikipedia'))).toBe(0x11e60398);
    const data = randomBytes(3_000_001);
    const zlibStream = deflateSync(data, { level: 1 });
    expect(adler32(data)).toBe(zlibStream.readUInt32BE(zlibStream.length - 4));
    // Long runs of 255 are the worst case for the sums between reductions.
    const ones = Buffer.alloc(1_000_000, 255);
    const onesStream = deflateSync(ones);
    expect(adler32(ones)).toBe(onesStream.readUInt32BE(onesStream.length - 4));
  });

  it('refuses pixels that do not match the stated size', async () => {
    await expect(encodePng({ pixels: Buffer.alloc(11), width: 2, height: 2, channels: 3 })).rejects.toThrow(
      /expected 2×2×3 bytes, got 11/,
    );
  });

  it("is smaller than sharp's default PNG on a photo with alpha", async () => {
    const image = await raster(1024, 1024, 4);
    const ours = await encodePng(image);
    const sharpDefault = await sharp(image.pixels, { raw: { width: 1024, height: 1024, channels: 4 } })
      .png()
      .toBuffer();
    expect(ours.length).toBeLessThan(sharpDefault.length);
  });
});
