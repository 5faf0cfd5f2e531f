import { createInflate } from 'node:zlib';
import { InputFormat } from '@lumina/shared';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/errors.ts';
import { inspectImage, sniffImageFormat } from '../src/uploads/index.ts';
import { sharpErrorCode } from '../src/uploads/sharp-error-code.ts';
import { fixture } from './support/fixtures.ts';
import {
  bmp,
  heicHevc,
  lyingHeaderPng,
  oversizedUpload,
  pdf,
  pngBomb30000,
  svg,
  textNamedPng,
  tinyPng,
  truncatedJpeg,
  truncatedPng,
  zeroBytes,
} from './support/hostile-images.ts';

/** The production defaults (MAX_INPUT_PIXELS, MAX_INPUT_SIDE_PX). */
const limits = { maxInputPixels: 64_000_000, maxInputSidePx: 12_000 };

const bytesOf = (buffer: Buffer): Uint8Array => new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);

/** The ApiError an input is refused with; fails the test when the input is accepted. */
const refusalOf = async (bytes: Uint8Array, withLimits = limits): Promise<ApiError> => {
  try {
    const accepted = await inspectImage(bytes, withLimits);
    throw new Error(`expected a refusal, got ${JSON.stringify(accepted)}`);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
};

const chelsea = fixture('chelsea.png'); // 451×300 RGB
const encoded = {
  webp: async () => bytesOf(await sharp(chelsea).webp().toBuffer()),
  avif: async () => bytesOf(await sharp(chelsea).avif().toBuffer()),
  tiff: async () => bytesOf(await sharp(chelsea).tiff().toBuffer()),
  gif: async () => bytesOf(await sharp(chelsea).gif().toBuffer()),
};

/** An ISO-BMFF `ftyp` box with the given brands, followed by an empty `meta` box. */
const ftyp = (major: string, ...compatible: string[]): Uint8Array => {
  const size = 16 + 4 * compatible.length;
  const out = new Uint8Array(size + 8);
  const view = new DataView(out.buffer);
  view.setUint32(0, size);
  out.set(new TextEncoder().encode(`ftyp${major}\0\0\0\0${compatible.join('')}`), 4);
  view.setUint32(size, 8);
  out.set(new TextEncoder().encode('meta'), size + 4);
  return out;
};

describe('sniffImageFormat', () => {
  it.each([
    ['png', () => chelsea],
    ['jpeg', () => fixture('baboon.jpg')],
    ['webp', encoded.webp],
    ['avif', encoded.avif],
    ['tiff', encoded.tiff],
    ['gif', encoded.gif],
    ['heif', heicHevc],
  ] as const)('recognises %s from its bytes', async (format, make) => {
    expect(sniffImageFormat(await make())).toBe(format);
  });

  it('recognises big-endian TIFF', async () => {
    const tiff = bytesOf(await sharp(chelsea).tiff().toBuffer());
    expect(sniffImageFormat(new Uint8Array([0x4d, 0x4d, 0x00, 0x2a, ...tiff.subarray(4, 16)]))).toBe('tiff');
  });

  it('recognises GIF87a as well as GIF89a', () => {
    expect(sniffImageFormat(new TextEncoder().encode('GIF87a\x01\x00\x01\x00'))).toBe('gif');
  });

  it.each([
    [['avif', 'mif1', 'miaf'], 'avif'],
    [['avis', 'msf1'], 'avif'],
    [['mif1', 'avif'], 'avif'],
    [['heic', 'mif1', 'heic'], 'heif'],
    [['heix', 'mif1'], 'heif'],
    [['hevc', 'msf1'], 'heif'],
    [['mif1', 'heic'], 'heif'],
    [['msf1'], 'heif'],
    [['isom', 'iso2', 'mp41'], null],
    [['qt  '], null],
  ] as const)('reads ISO-BMFF brands %j as %s', ([major, ...compatible], format) => {
    expect(sniffImageFormat(ftyp(major, ...compatible))).toBe(format);
  });

  it.each([
    ['empty', zeroBytes()],
    ['text named .png', textNamedPng()],
    ['SVG', svg()],
    ['BMP', bmp()],
    ['PDF', pdf()],
    ['a lone RIFF header', new TextEncoder().encode('RIFF')],
    ['a RIFF WAVE file', new TextEncoder().encode('RIFF\x24\x00\x00\x00WAVEfmt ')],
    ['the first byte of a PNG signature', new Uint8Array([0x89])],
  ])('answers null for %s', (_, bytes) => {
    expect(sniffImageFormat(bytes)).toBeNull();
  });
});

describe('inspectImage refuses hostile and broken uploads', () => {
  it('refuses a zero-byte upload as empty_upload', async () => {
    expect((await refusalOf(zeroBytes())).code).toBe('empty_upload');
  });

  it.each([
    ['text named .png', textNamedPng],
    ['SVG', svg],
    ['BMP', bmp],
    ['PDF', pdf],
  ])('refuses %s as unsupported_media_type and lists the accepted formats', async (_, make) => {
    const error = await refusalOf(make());
    expect(error.code).toBe('unsupported_media_type');
    expect(error.details).toEqual({ accepted: InputFormat.options });
    expect(error.message).toMatch(/PNG, JPEG, WebP, AVIF, HEIF\/HEIC, TIFF, GIF/);
  });

  it('refuses an HEVC-coded HEIC as unsupported_media_type because this sharp cannot decode HEVC', async () => {
    const error = await refusalOf(heicHevc());
    expect(error.code).toBe('unsupported_media_type');
    expect(error.details).toEqual({ accepted: InputFormat.options });
  });

  it('refuses a real 30000×30000 PNG bomb as image_too_large from its header, before decoding', async () => {
    const error = await refusalOf(pngBomb30000());
    expect(error.code).toBe('image_too_large');
    // Details come only from the header check; the decode step's refusal carries none.
    expect(error.details).toMatchObject({ width: 30_000, height: 30_000 });
  });

  it('refuses a PNG whose header lies about huge dimensions as image_too_large', async () => {
    const error = await refusalOf(lyingHeaderPng(20_000, 20_000));
    expect(error.code).toBe('image_too_large');
    expect(error.details).toMatchObject({ width: 20_000, height: 20_000 });
  });

  it('refuses a PNG whose header claims a size its data does not have as image_corrupt', async () => {
    expect((await refusalOf(lyingHeaderPng(1000, 1000))).code).toBe('image_corrupt');
  });

  it('refuses an image with one side over the side limit though its pixel count is fine', async () => {
    const wide = bytesOf(
      await sharp({ create: { width: 5000, height: 2, channels: 3, background: '#808080' } })
        .png()
        .toBuffer(),
    );
    const error = await refusalOf(wide, { maxInputPixels: 64_000_000, maxInputSidePx: 4999 });
    expect(error.code).toBe('image_too_large');
    await expect(inspectImage(wide, { maxInputPixels: 10_000, maxInputSidePx: 5000 })).resolves.toMatchObject({
      width: 5000,
      height: 2,
    });
  });

  it('accepts an image of exactly the pixel limit and refuses one pixel more', async () => {
    const image = bytesOf(
      await sharp({ create: { width: 100, height: 50, channels: 3, background: '#808080' } })
        .png()
        .toBuffer(),
    );
    await expect(inspectImage(image, { maxInputPixels: 5000, maxInputSidePx: 100 })).resolves.toBeDefined();
    expect((await refusalOf(image, { maxInputPixels: 4999, maxInputSidePx: 100 })).code).toBe('image_too_large');
  });

  it.each([
    ['truncated PNG', truncatedPng],
    ['truncated JPEG', truncatedJpeg],
  ])('refuses a %s as image_corrupt', async (_, make) => {
    expect((await refusalOf(make())).code).toBe('image_corrupt');
  });

  it.each(Object.entries(encoded))('refuses a truncated %s as image_corrupt', async (_, make) => {
    const whole = await make();
    expect((await refusalOf(whole.subarray(0, Math.floor(whole.length * 0.6)))).code).toBe('image_corrupt');
  });

  it('refuses a JPEG that loses only its last few percent as image_corrupt', async () => {
    const whole = fixture('baboon.jpg');
    expect((await refusalOf(whole.subarray(0, Math.floor(whole.length * 0.97)))).code).toBe('image_corrupt');
  });

  it('refuses a progressive JPEG cut inside its last scan as image_corrupt', async () => {
    const progressive = bytesOf(await sharp(fixture('baboon.jpg')).jpeg({ progressive: true }).toBuffer());
    expect((await refusalOf(progressive.subarray(0, Math.floor(progressive.length * 0.999)))).code).toBe(
      'image_corrupt',
    );
  });

  it('refuses 25 MiB of padding behind a JPEG header as image_corrupt', async () => {
    expect((await refusalOf(oversizedUpload())).code).toBe('image_corrupt');
  });
});

describe('inspectImage accepts real images', () => {
  it.each([
    ['chelsea.png', 'png', 451, 300, false],
    ['horse.png', 'png', 400, 328, true],
    ['baboon.jpg', 'jpeg', 512, 512, false],
    ['fruits.jpg', 'jpeg', 512, 480, false],
  ] as const)('accepts the fixture %s', async (name, format, width, height, hasAlpha) => {
    expect(await inspectImage(fixture(name), limits)).toEqual({ format, width, height, hasAlpha });
  });

  it.each(Object.entries(encoded))('accepts a %s made from a fixture with its dimensions', async (format, make) => {
    expect(await inspectImage(await make(), limits)).toMatchObject({ format, width: 451, height: 300 });
  });

  it('accepts a tiny 1×1 PNG', async () => {
    expect(await inspectImage(tinyPng(), limits)).toEqual({ format: 'png', width: 1, height: 1, hasAlpha: false });
  });

  it('reports width and height as displayed for a JPEG with EXIF orientation 6', async () => {
    const rotated = bytesOf(await sharp(chelsea).jpeg().withMetadata({ orientation: 6 }).toBuffer());
    expect((await sharp(rotated).metadata()).orientation).toBe(6);
    expect(await inspectImage(rotated, limits)).toMatchObject({ format: 'jpeg', width: 300, height: 451 });
  });

  it('accepts a 16-bit PNG', async () => {
    const deep = bytesOf(await sharp(chelsea).toColourspace('rgb16').png().toBuffer());
    expect((await sharp(deep).metadata()).depth).toBe('ushort');
    expect(await inspectImage(deep, limits)).toMatchObject({ format: 'png', width: 451, height: 300 });
  });

  it('accepts a CMYK JPEG', async () => {
    const cmyk = bytesOf(await sharp(chelsea).toColourspace('cmyk').jpeg().toBuffer());
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    expect(await inspectImage(cmyk, limits)).toMatchObject({ format: 'jpeg', width: 451, height: 300 });
  });

  it('accepts a palette PNG with transparency and reports its alpha', async () => {
    const palette = bytesOf(await sharp(fixture('horse.png')).png({ palette: true }).toBuffer());
    expect((await sharp(palette).metadata()).isPalette).toBe(true);
    expect(await inspectImage(palette, limits)).toEqual({ format: 'png', width: 400, height: 328, hasAlpha: true });
  });

  it('measures only the first frame of an animated GIF', async () => {
    const [width, frameHeight, frameCount] = [40, 30, 3];
    const pixels = new Uint8Array(width * frameHeight * frameCount * 3).map((_, i) => (i * 7) % 256);
    const frames = bytesOf(
      await sharp(pixels, { raw: { width, height: frameHeight * frameCount, channels: 3, pageHeight: frameHeight } })
        .gif()
        .toBuffer(),
    );
    expect((await sharp(frames, { pages: -1 }).metadata()).pages).toBe(frameCount);
    expect(await inspectImage(frames, limits)).toMatchObject({ format: 'gif', width, height: frameHeight });
  });
});

describe('sharpErrorCode', () => {
  it("maps sharp's own pixel-limit refusal to image_too_large", async () => {
    const error = await sharp(pngBomb30000(), { limitInputPixels: 64_000_000 })
      .metadata()
      .then(
        () => null,
        (rejection: unknown) => rejection,
      );
    expect(error).toBeInstanceOf(Error);
    expect(sharpErrorCode(error)).toBe('image_too_large');
  });

  it('maps a decoder failure to image_corrupt', async () => {
    const error = await sharp(truncatedPng(), { failOn: 'error' })
      .raw()
      .toBuffer()
      .then(
        () => null,
        (rejection: unknown) => rejection,
      );
    expect(sharpErrorCode(error)).toBe('image_corrupt');
  });
});

describe('hostile-images support', () => {
  it('builds the bomb as a real PNG whose pixel data inflates to 30000 rows of 30001 bytes', async () => {
    const bomb = pngBomb30000();
    expect(bomb.length).toBeLessThan(1024 * 1024);
    expect(pngBomb30000()).toBe(bomb); // cached
    const view = new DataView(bomb.buffer, bomb.byteOffset, bomb.byteLength);
    const idat: Uint8Array[] = [];
    for (let offset = 8; offset < bomb.length; ) {
      const length = view.getUint32(offset);
      const type = new TextDecoder().decode(bomb.subarray(offset + 4, offset + 8));
      if (type === 'IDAT') idat.push(bomb.subarray(offset + 8, offset + 8 + length));
      offset += 12 + length;
    }
    let inflatedBytes = 0;
    const inflate = createInflate();
    inflate.on('data', (chunk: Buffer) => {
      inflatedBytes += chunk.length;
    });
    // zlib verifies the Adler-32 at the end, so a wrong checksum fails here.
    await new Promise<void>((resolve, reject) => {
      inflate.once('end', resolve);
      inflate.once('error', reject);
      for (const part of idat) inflate.write(part);
      inflate.end();
    });
    expect(inflatedBytes).toBe(30_000 * 30_001);
    expect(await sharp(bomb, { limitInputPixels: false }).metadata()).toMatchObject({ width: 30_000, height: 30_000 });
  }, 30_000);

  it('makes BMP, PDF and the oversized upload with the sizes and signatures they claim', async () => {
    expect(new TextDecoder().decode(bmp().subarray(0, 2))).toBe('BM');
    expect(new DataView(bmp().buffer).getUint32(2, true)).toBe(bmp().length);
    expect(new TextDecoder().decode(pdf()).startsWith('%PDF-1.4')).toBe(true);
    expect(oversizedUpload().length).toBe(25 * 1024 * 1024 + 1);
    expect(oversizedUpload(10).length).toBe(10);
  });
});
