import type { InputFormat } from '@lumina/shared';

const startsWith = (bytes: Uint8Array, signature: readonly number[], offset = 0): boolean =>
  bytes.length >= offset + signature.length && signature.every((byte, i) => bytes[offset + i] === byte);

const ascii = (text: string): number[] => Array.from(text, (char) => char.charCodeAt(0));

const fourCc = (bytes: Uint8Array, offset: number): string =>
  String.fromCharCode(...Array.from(bytes.subarray(offset, offset + 4)));

const avifBrands = new Set(['avif', 'avis']);
/** `mif1`/`msf1` are generic HEIF brands: AVIF files carry them too, so they count only when no AVIF brand does. */
const heifCodecBrands = new Set(['heic', 'heix', 'hevc', 'hevx']);
const heifGenericBrands = new Set(['mif1', 'msf1']);

/**
 * AVIF and HEIF are both ISO-BMFF files that open with an `ftyp` box; the brands say which. The major brand
 * decides when it is specific; otherwise any AVIF compatible brand wins over the generic HEIF ones.
 */
const sniffIsoBmff = (bytes: Uint8Array): InputFormat | null => {
  if (bytes.length < 16 || fourCc(bytes, 4) !== 'ftyp') return null;
  const declaredSize = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
  const boxEnd = declaredSize >= 16 ? Math.min(declaredSize, bytes.length) : bytes.length;
  const major = fourCc(bytes, 8);
  if (avifBrands.has(major)) return 'avif';
  if (heifCodecBrands.has(major)) return 'heif';
  const compatible: string[] = [];
  for (let offset = 16; offset + 4 <= boxEnd; offset += 4) compatible.push(fourCc(bytes, offset));
  if (compatible.some((brand) => avifBrands.has(brand))) return 'avif';
  const brands = [major, ...compatible];
  return brands.some((brand) => heifCodecBrands.has(brand) || heifGenericBrands.has(brand)) ? 'heif' : null;
};

/**
 * The image format the bytes are, from their magic numbers; null for anything Lumina does not accept (BMP,
 * SVG, PDF, text, …). The declared content type and file name are never trusted.
 */
export const sniffImageFormat = (bytes: Uint8Array): InputFormat | null => {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'webp';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'gif';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  return sniffIsoBmff(bytes);
};
