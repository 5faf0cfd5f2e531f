import { constants, crc32, deflateRawSync, deflateSync } from 'node:zlib';
import { fixture } from './fixtures.ts';

/**
 * Inputs an upload endpoint must refuse, for any test that needs them. Each is deterministic; the 30000×30000
 * PNG is cached because other tests may ask for it many times.
 */

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

const concat = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
};

const u32be = (value: number): Uint8Array => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
};

const pngSignature = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One PNG chunk: length, type, data, and the CRC32 of type + data. */
const pngChunk = (type: string, data: Uint8Array): Uint8Array => {
  const typeAndData = concat([ascii(type), data]);
  return concat([u32be(data.length), typeAndData, u32be(crc32(typeAndData))]);
};

/** IHDR for an 8-bit image of the given colour type (0 = grayscale, 2 = RGB). */
const ihdr = (width: number, height: number, colourType = 0): Uint8Array =>
  pngChunk('IHDR', concat([u32be(width), u32be(height), new Uint8Array([8, colourType, 0, 0, 0])]));

const pngFile = (header: Uint8Array, compressed: Uint8Array): Uint8Array =>
  concat([pngSignature, header, pngChunk('IDAT', compressed), pngChunk('IEND', new Uint8Array())]);

/** A 0-byte upload. */
export const zeroBytes = (): Uint8Array => new Uint8Array();

/** Plain text, as a client would send it under the name `photo.png` with type `image/png`. */
export const textNamedPng = (): Uint8Array => ascii('This is not an image, whatever its name says.\n');

/** The first half of a real PNG: the header is intact, the pixel data stops mid-stream. */
export const truncatedPng = (): Uint8Array => {
  const whole = fixture('chelsea.png');
  return whole.slice(0, Math.floor(whole.length / 2));
};

/** The first half of a real JPEG: the header is intact, the scan data stops mid-stream. */
export const truncatedJpeg = (): Uint8Array => {
  const whole = fixture('baboon.jpg');
  return whole.slice(0, Math.floor(whole.length / 2));
};

let bomb: Uint8Array | undefined;

/**
 * A real, valid 30000×30000 8-bit grayscale PNG of zeros (900 megapixels, 900 MB inflated) that is under 1 MiB
 * on the wire: a decompression bomb. Built in milliseconds and cached, since it is deterministic.
 */
export const pngBomb30000 = (): Uint8Array => {
  bomb ??= zeroPng(30_000, 30_000);
  return bomb;
};

/**
 * A grayscale PNG of zeros at any size without holding its pixels: a run of rows is deflated once from a fresh
 * state, ending in a sync flush (byte-aligned, non-final), so the same bytes can be repeated; an empty final
 * block and the Adler-32 of n zero bytes (a = 1, b = n mod 65521) close the zlib stream.
 */
const zeroPng = (width: number, height: number): Uint8Array => {
  const rowBytes = width + 1; // filter byte 0 (None) + one zero byte per pixel
  const rowsPerRun = 100;
  const run = (rows: number): Uint8Array =>
    deflateRawSync(new Uint8Array(rows * rowBytes), { level: 9, finishFlush: constants.Z_SYNC_FLUSH });
  const fullRun = run(rowsPerRun);
  const parts: Uint8Array[] = [new Uint8Array([0x78, 0xda])];
  for (let i = 0; i < Math.floor(height / rowsPerRun); i++) parts.push(fullRun);
  if (height % rowsPerRun > 0) parts.push(run(height % rowsPerRun));
  const finalEmptyFixedBlock = new Uint8Array([0x03, 0x00]);
  const adler32 = (((rowBytes * height) % 65521) * 65536 + 1) >>> 0;
  parts.push(finalEmptyFixedBlock, u32be(adler32));
  return pngFile(ihdr(width, height), concat(parts));
};

/**
 * A PNG whose IHDR claims `width`×`height` while its pixel data is for a 1×1 image; the IHDR CRC is
 * recomputed so only the size is a lie. Huge claims must be refused as too large, small ones as corrupt.
 */
export const lyingHeaderPng = (width = 20_000, height = 20_000): Uint8Array =>
  pngFile(ihdr(width, height), deflateSync(new Uint8Array([0, 0x80])));

/** A tiny valid 1×1 grayscale PNG, the honest twin of `lyingHeaderPng`. */
export const tinyPng = (): Uint8Array => pngFile(ihdr(1, 1), deflateSync(new Uint8Array([0, 0x80])));

/** `byteLength` bytes that start like a JPEG (SOI + APP0/JFIF) and continue as zero padding. */
export const oversizedUpload = (byteLength = 25 * 1024 * 1024 + 1): Uint8Array => {
  const header = new Uint8Array([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
    0x00,
  ]);
  const out = new Uint8Array(byteLength);
  out.set(header.subarray(0, Math.min(header.length, byteLength)));
  return out;
};

/** A small, valid SVG: a format browsers render but Lumina does not accept (scripts, external entities). */
export const svg = (): Uint8Array =>
  ascii(
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">' +
      '<rect width="64" height="64" fill="#3366ff"/></svg>\n',
  );

/** A valid 2×2 24-bit BMP (BITMAPINFOHEADER, bottom-up rows padded to 4 bytes). */
export const bmp = (): Uint8Array => {
  const width = 2;
  const height = 2;
  const rowBytes = Math.ceil((width * 3) / 4) * 4;
  const pixelBytes = rowBytes * height;
  const out = new Uint8Array(14 + 40 + pixelBytes);
  const view = new DataView(out.buffer);
  out.set(ascii('BM'), 0);
  view.setUint32(2, out.length, true);
  view.setUint32(10, 14 + 40, true); // pixel data offset
  view.setUint32(14, 40, true); // header size
  view.setInt32(18, width, true);
  view.setInt32(22, height, true);
  view.setUint16(26, 1, true); // planes
  view.setUint16(28, 24, true); // bits per pixel
  view.setUint32(34, pixelBytes, true);
  view.setInt32(38, 2835, true); // 72 dpi
  view.setInt32(42, 2835, true);
  out.fill(0xff, 54); // white pixels (padding bytes too, which readers ignore)
  return out;
};

/** A valid one-page PDF with a correct cross-reference table. */
export const pdf = (): Uint8Array => {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(body.length);
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xrefOffset = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xrefOffset}\n%%EOF\n`;
  return ascii(body);
};

/** One ISO-BMFF box; a full box's version and flags go at the start of `payload`. */
const box = (type: string, ...payload: Uint8Array[]): Uint8Array => {
  const body = concat(payload);
  return concat([u32be(8 + body.length), ascii(type), body]);
};
const u16be = (value: number): Uint8Array => new Uint8Array([value >> 8, value & 0xff]);
const fullBoxHeader = (version = 0): Uint8Array => new Uint8Array([version, 0, 0, 0]);

/**
 * A structurally valid HEIC (what iPhones save) of `width`×`height` whose single image item is HEVC-coded;
 * the coded bytes are filler. Prebuilt sharp ships libheif with an AV1 decoder only, so it cannot decode
 * HEVC at all: the upload must be refused as an unsupported type, not reported as corrupt.
 */
export const heicHevc = (width = 64, height = 48): Uint8Array => {
  const ftyp = box('ftyp', ascii('heic'), u32be(0), ascii('mif1'), ascii('heic'));
  // Minimal HEVCDecoderConfigurationRecord (Main profile, 4:2:0, 8-bit) with no parameter-set arrays.
  const hvcC = box(
    'hvcC',
    new Uint8Array([
      1, 0x01, 0x60, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, 90, 0xf0, 0x00, 0xfc, 0xfd, 0xf8, 0xf8, 0, 0, 0x0f, 0,
    ]),
  );
  const ispe = box('ispe', fullBoxHeader(), u32be(width), u32be(height));
  const ipma = box('ipma', fullBoxHeader(), u32be(1), u16be(1), new Uint8Array([2, 0x81, 0x02]));
  const coded = new Uint8Array(256).fill(0x5a);
  const ilocFor = (dataOffset: number): Uint8Array =>
    box(
      'iloc',
      fullBoxHeader(),
      new Uint8Array([0x44, 0x40]), // 4-byte offsets and lengths, 4-byte base offset
      u16be(1), // item count
      u16be(1), // item id
      u16be(0), // data reference: this file
      u32be(0), // base offset
      u16be(1), // extent count
      u32be(dataOffset),
      u32be(coded.length),
    );
  const metaFor = (dataOffset: number): Uint8Array =>
    box(
      'meta',
      fullBoxHeader(),
      box('hdlr', fullBoxHeader(), u32be(0), ascii('pict'), new Uint8Array(12), new Uint8Array([0])),
      box('pitm', fullBoxHeader(), u16be(1)),
      ilocFor(dataOffset),
      box(
        'iinf',
        fullBoxHeader(),
        u16be(1),
        box('infe', fullBoxHeader(2), u16be(1), u16be(0), ascii('hvc1'), new Uint8Array([0])),
      ),
      box('iprp', box('ipco', hvcC, ispe), ipma),
    );
  // The meta box has the same size whatever offset it records, so measure once, then build it for real.
  const dataOffset = ftyp.length + metaFor(0).length + 8;
  return concat([ftyp, metaFor(dataOffset), box('mdat', coded)]);
};
