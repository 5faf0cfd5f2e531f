import { promisify } from 'node:util';
import { constants, crc32, deflate, deflateRaw } from 'node:zlib';

/** 8-bit interleaved pixels: grey (1), RGB (3) or RGBA (4) channels. */
export interface PngRaster {
  readonly pixels: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3 | 4;
}

/**
 * zlib settings of the worker's PNGs. Filtered photo rows hold few long repeats, so deflate's match search (every
 * level above 0) costs more than it finds: run-length matches only (`Z_RLE`) measured 35–40% faster than level 1
 * and smaller on photos, cut-outs and masks (bench/png-encode.ts); flat graphics, where distant repeats matter,
 * come out about twice libvips' size, still tens of kilobytes. The level then only sizes zlib's buffers.
 */
export const pngDeflateLevel = 1;
export const pngDeflateStrategy = constants.Z_RLE;

/** IDAT chunks of at most this many bytes: one chunk is valid, but streaming decoders read smaller ones sooner. */
const idatBytes = 1 << 20;
/** Below this many filtered bytes per thread, a second deflate stream costs more than it saves. */
const minBytesPerThread = 1 << 20;

const deflateAsync = promisify(deflate);
const deflateRawAsync = promisify(deflateRaw);
const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const colourTypeOf = { 1: 0, 3: 2, 4: 6 } as const;

/**
 * Encodes 8-bit pixels as a PNG. Every row takes the Average filter: one pass without per-row choice, which
 * libvips' adaptive filtering spends most of its time on, and on photos and cut-outs it compresses nearly as
 * well as trying all five. The deflate runs on libuv's thread pool, in `threads` parts at once for large images,
 * so the job loop stays free meanwhile. Lossless: the file decodes to exactly `image.pixels`.
 */
export async function encodePng(
  image: PngRaster,
  {
    level = pngDeflateLevel,
    strategy = pngDeflateStrategy,
    threads = 1,
  }: { readonly level?: number; readonly strategy?: number; readonly threads?: number } = {},
): Promise<Buffer> {
  const { width, height, channels } = image;
  if (image.pixels.length !== width * height * channels)
    throw new RangeError(`expected ${width}×${height}×${channels} bytes, got ${image.pixels.length}`);
  const filtered = averageFiltered(image);
  const parts = Math.max(1, Math.min(Math.floor(threads), Math.floor(filtered.length / minBytesPerThread)));
  const compressed =
    parts > 1
      ? await deflateInParts(filtered, { level, strategy }, parts)
      : await deflateAsync(filtered, { level, strategy });

  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per channel
  header[9] = colourTypeOf[channels];
  // Bytes 10–12: deflate compression, adaptive filter method, no interlace; all 0.

  const idatCount = Math.max(1, Math.ceil(compressed.length / idatBytes));
  const file = Buffer.allocUnsafe(signature.length + (12 + header.length) + idatCount * 12 + compressed.length + 12);
  let offset = signature.copy(file, 0);
  offset = writeChunk(file, offset, 'IHDR', header);
  for (let start = 0; start < compressed.length; start += idatBytes)
    offset = writeChunk(file, offset, 'IDAT', compressed.subarray(start, start + idatBytes));
  offset = writeChunk(file, offset, 'IEND', Buffer.alloc(0));
  return file.subarray(0, offset);
}

/**
 * One zlib stream deflated as `parts` pieces at once on libuv's thread pool, as pigz does: every piece but the
 * last ends on a sync flush (a byte boundary, no final block), so the raw pieces concatenate into one valid
 * deflate stream. Each piece starts without its predecessor's 32 KiB window, which costs well under 1% here.
 * The Adler-32 of the whole input, computed meanwhile on this thread, closes the stream.
 */
async function deflateInParts(
  data: Uint8Array,
  options: { readonly level: number; readonly strategy: number },
  parts: number,
): Promise<Buffer> {
  const partBytes = Math.ceil(data.length / parts);
  const pieces = Array.from({ length: parts }, (_, i) => {
    const piece = data.subarray(i * partBytes, (i + 1) * partBytes);
    return i < parts - 1
      ? deflateRawAsync(piece, { ...options, finishFlush: constants.Z_SYNC_FLUSH })
      : deflateRawAsync(piece, options);
  });
  const checksum = Buffer.alloc(4);
  checksum.writeUInt32BE(adler32(data));
  return Buffer.concat([zlibHeader(options.level), ...(await Promise.all(pieces)), checksum]);
}

/** CMF (deflate, 32 KiB window) and FLG with the level hint RFC 1950 defines and the check bits that make it valid. */
function zlibHeader(level: number): Buffer {
  const cmf = 0x78;
  const levelHint = level <= 1 ? 0 : level <= 5 ? 1 : level === 6 ? 2 : 3;
  const flg = levelHint << 6;
  return Buffer.from([cmf, flg + ((31 - ((cmf * 256 + flg) % 31)) % 31)]);
}

/** RFC 1950's Adler-32, reducing modulo 65521 every 5552 bytes, the most that cannot overflow zlib's 32 bits. */
export function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let start = 0; start < data.length; start += 5552) {
    const end = Math.min(start + 5552, data.length);
    for (let i = start; i < end; i++) {
      a += data[i] as number;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** Length, type, data and the CRC-32 of type and data, as PNG lays out every chunk. */
function writeChunk(file: Buffer, offset: number, type: string, data: Uint8Array): number {
  const typeBytes = Buffer.from(type, 'latin1');
  file.writeUInt32BE(data.length, offset);
  typeBytes.copy(file, offset + 4);
  file.set(data, offset + 8);
  file.writeUInt32BE(crc32(data, crc32(typeBytes)), offset + 8 + data.length);
  return offset + 12 + data.length;
}

/**
 * The scanlines with a filter-type byte (3, Average) before each: every byte minus the floor of the mean of the
 * byte one pixel to its left and the byte above it, each 0 outside the image. Uint8Array stores wrap modulo 256.
 */
function averageFiltered({ pixels: bytes, width, height, channels }: PngRaster): Uint8Array {
  // A plain Uint8Array view rather than a Buffer keeps the loop's element access on one shape.
  const pixels = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  const stride = width * channels;
  const out = new Uint8Array((stride + 1) * height);
  const none = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = pixels.subarray(y * stride, (y + 1) * stride);
    const above = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : none;
    const target = out.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    out[y * (stride + 1)] = 3;
    for (let x = 0; x < channels; x++) target[x] = (row[x] as number) - ((above[x] as number) >> 1);
    for (let x = channels; x < stride; x++)
      target[x] = (row[x] as number) - (((row[x - channels] as number) + (above[x] as number)) >> 1);
  }
  return out;
}
