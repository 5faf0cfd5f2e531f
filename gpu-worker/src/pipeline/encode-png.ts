import { endianness } from 'node:os';
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
 * zlib settings of the worker's PNGs. Filtered photo rows hold few long repeats, so deflate's match search costs
 * more than it finds: Huffman coding alone (`Z_HUFFMAN_ONLY`) measured 20–35% faster than run-length matches
 * (`Z_RLE`) and no larger on photos and cut-outs, while on flat graphics, where the filtered bytes are mostly
 * runs, it comes out 4–9× larger (bench/png-encode.ts). So each deflated part picks its strategy from a sample of
 * its bytes: Huffman only when fewer than two in five repeat the byte before, run-length otherwise. Near that line
 * the two differ by a few per cent in size (a smooth 4096² upscale, 0.35: Huffman 3.5% larger, 37% faster). The level
 * then only sizes zlib's buffers.
 */
export const pngDeflateLevel = 1;
/** Share of sampled filtered bytes equal to their predecessor at and above which run-length matches pay. */
export const runLengthRepeatShare = 0.4;
/** Every this many bytes one pair is compared: a prime, so the sample does not follow the channel layout. */
const repeatSampleStep = 127;

/** The deflate strategy for filtered bytes: run-length where runs are common, Huffman coding alone otherwise. */
export function deflateStrategyFor(filtered: Uint8Array): number {
  let pairs = 0;
  let repeats = 0;
  for (let i = 1; i < filtered.length; i += repeatSampleStep) {
    pairs++;
    if (filtered[i] === filtered[i - 1]) repeats++;
  }
  return repeats >= pairs * runLengthRepeatShare ? constants.Z_RLE : constants.Z_HUFFMAN_ONLY;
}

// The filter reads pixels as little-endian 32-bit words: every platform Node ships for but s390x.
if (endianness() !== 'LE') throw new Error('the PNG encoder needs a little-endian host');

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
 * so the job loop stays free meanwhile; `strategy` 'auto' lets each part choose (`deflateStrategyFor`).
 * Lossless: the file decodes to exactly `image.pixels`.
 */
export async function encodePng(
  image: PngRaster,
  {
    level = pngDeflateLevel,
    strategy = 'auto',
    threads = 1,
  }: { readonly level?: number; readonly strategy?: number | 'auto'; readonly threads?: number } = {},
): Promise<Buffer> {
  const { width, height, channels } = image;
  if (image.pixels.length !== width * height * channels)
    throw new RangeError(`expected ${width}×${height}×${channels} bytes, got ${image.pixels.length}`);
  const filtered = averageFiltered(image);
  const parts = Math.max(1, Math.min(Math.floor(threads), Math.floor(filtered.length / minBytesPerThread)));
  const compressed =
    parts > 1
      ? await deflateInParts(filtered, { level, strategy }, parts)
      : await deflateAsync(filtered, {
          level,
          strategy: strategy === 'auto' ? deflateStrategyFor(filtered) : strategy,
        });

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
  { level, strategy }: { readonly level: number; readonly strategy: number | 'auto' },
  parts: number,
): Promise<Buffer> {
  const partBytes = Math.ceil(data.length / parts);
  const pieces = Array.from({ length: parts }, (_, i) => {
    const piece = data.subarray(i * partBytes, (i + 1) * partBytes);
    const options = { level, strategy: strategy === 'auto' ? deflateStrategyFor(piece) : strategy };
    return i < parts - 1
      ? deflateRawAsync(piece, { ...options, finishFlush: constants.Z_SYNC_FLUSH })
      : deflateRawAsync(piece, options);
  });
  const checksum = Buffer.alloc(4);
  checksum.writeUInt32BE(adler32(data));
  return Buffer.concat([zlibHeader(level), ...(await Promise.all(pieces)), checksum]);
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
 * byte one pixel to its left and the byte above it, each 0 outside the image. Four bytes at a time in 32-bit
 * words (SWAR): each row is copied into an aligned word buffer, the byte `channels` to the left comes from this
 * word and the one before, and the mean and the difference are computed per byte lane without carries between
 * lanes. About 3× the speed of a loop over bytes (bench/png-encode.ts).
 */
function averageFiltered({ pixels, width, height, channels }: PngRaster): Uint8Array {
  const stride = width * channels;
  const words = Math.ceil(stride / 4);
  // Every byte is written below, so the output skips the zero fill (48 MB at 12 MP).
  const out = Buffer.allocUnsafe((stride + 1) * height);
  // This row and the one above, word-aligned; their padding past `stride` stays 0 and is never written out.
  let row = new Uint32Array(words);
  let above = new Uint32Array(words);
  const filtered = new Uint32Array(words);
  const filteredBytes = new Uint8Array(filtered.buffer, 0, stride);
  // The left neighbour's bytes sit `channels` bytes back: in a little-endian word, shifted by 8 bits per byte.
  const shift = channels === 4 ? 0 : 8 * channels;
  for (let y = 0; y < height; y++) {
    const swap = above;
    above = row;
    row = swap;
    new Uint8Array(row.buffer, 0, stride).set(pixels.subarray(y * stride, (y + 1) * stride));
    let previous = 0;
    for (let k = 0; k < words; k++) {
      const current = row[k] as number;
      const left = shift === 0 ? previous : (previous >>> (32 - shift)) | (current << shift);
      const up = above[k] as number;
      // floor((left + up) / 2) per byte, then current − mean per byte, both modulo 256 in each lane.
      const mean = (left & up) + (((left ^ up) & 0xfefefefe) >>> 1);
      filtered[k] = ((current | 0x80808080) - (mean & 0x7f7f7f7f)) ^ ((current ^ ~mean) & 0x80808080);
      previous = current;
    }
    out[y * (stride + 1)] = 3;
    out.set(filteredBytes, y * (stride + 1) + 1);
  }
  return out;
}
