import type { ErrorCode } from '@lumina/shared';

export type SharpFailureCode = Extract<ErrorCode, 'image_too_large' | 'unsupported_media_type' | 'image_corrupt'>;

/**
 * sharp rejects with plain `Error`s whose only distinguishing feature is the libvips message, so the few
 * messages that mean something other than "these bytes do not decode" are matched here and nowhere else.
 */
const patterns: readonly { pattern: RegExp; code: SharpFailureCode }[] = [
  // sharp's own check against `limitInputPixels`.
  { pattern: /exceeds pixel limit/i, code: 'image_too_large' },
  // libheif without a decoder for the item's codec (prebuilt sharp decodes AV1, not HEVC). libheif appends
  // `(error.suberror)`: 11.6003 is "no matching decoder installed", 4.3000 "unsupported codec".
  {
    pattern: /has not been built in|no matching decoder|unsupported codec|\((?:11\.6003|4\.3000)\)/i,
    code: 'unsupported_media_type',
  },
];

/**
 * What a sharp failure on bytes that already passed format sniffing means for the uploader. Anything not
 * recognised is `image_corrupt`: the signature named a format we decode, and the decoder refused the data.
 */
export const sharpErrorCode = (error: unknown): SharpFailureCode => {
  const message = error instanceof Error ? error.message : String(error);
  return patterns.find(({ pattern }) => pattern.test(message))?.code ?? 'image_corrupt';
};
