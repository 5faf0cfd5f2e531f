import { InputFormat } from '@lumina/shared';
import sharp, { type Metadata, type SharpOptions } from 'sharp';
import { ApiError } from '../errors.ts';
import { sharpErrorCode } from './sharp-error-code.ts';
import { sniffImageFormat } from './sniff-image-format.ts';

export interface InspectedImage {
  readonly format: InputFormat;
  /** Pixels wide once EXIF orientation is applied, as the user sees it. */
  readonly width: number;
  /** Pixels high once EXIF orientation is applied. */
  readonly height: number;
  readonly hasAlpha: boolean;
}

export interface InspectLimits {
  readonly maxInputPixels: number;
  readonly maxInputSidePx: number;
}

const formatNames: Record<InputFormat, string> = {
  png: 'PNG',
  jpeg: 'JPEG',
  webp: 'WebP',
  avif: 'AVIF',
  heif: 'HEIF/HEIC',
  tiff: 'TIFF',
  gif: 'GIF',
};
const acceptedList = InputFormat.options.map((format) => formatNames[format]).join(', ');

/** The name libvips reports for each format it decodes; AVIF and HEIC share the HEIF loader. */
const sharpFormatOf: Record<InputFormat, keyof sharp.FormatEnum> = {
  png: 'png',
  jpeg: 'jpeg',
  webp: 'webp',
  avif: 'heif',
  heif: 'heif',
  tiff: 'tiff',
  gif: 'gif',
};

const unsupported = (message: string): ApiError =>
  new ApiError('unsupported_media_type', `${message} Accepted formats: ${acceptedList}.`, {
    accepted: InputFormat.options,
  });

const refusal = (error: unknown, format: InputFormat): ApiError => {
  switch (sharpErrorCode(error)) {
    case 'image_too_large':
      return new ApiError('image_too_large', 'The image has more pixels than this server accepts.');
    case 'unsupported_media_type':
      return unsupported(`This ${formatNames[format]} file uses a compression this server cannot decode.`);
    case 'image_corrupt':
      return new ApiError('image_corrupt', `The ${formatNames[format]} data is truncated or corrupt.`);
  }
};

/**
 * Decides whether an upload is an image Lumina will process, and reads its size. Order matters for safety:
 * the type is sniffed from the bytes, the header's dimensions are checked against the limits before any pixel
 * is decoded (so a decompression bomb costs a header read), and only then is every pixel decoded once so
 * truncated or corrupt data is refused at upload rather than failing later in the worker. `beforeDecode` runs
 * between the header read and the full decode: a caller that must refuse on the size alone (a price the team
 * cannot pay) does so there, before the decode's CPU is spent.
 */
export const inspectImage = async (
  bytes: Uint8Array,
  limits: InspectLimits,
  beforeDecode?: (header: InspectedImage) => Promise<void>,
): Promise<InspectedImage> => {
  if (bytes.length === 0) throw new ApiError('empty_upload', 'The upload is empty (0 bytes).');

  const format = sniffImageFormat(bytes);
  if (format === null) throw unsupported('The upload is not an image type this server accepts.');

  // Only multi-frame formats (GIF, WebP, TIFF, HEIF) have more than one page; the first is the image.
  const options: SharpOptions = { failOn: 'error', pages: 1, page: 0 };

  let metadata: Metadata;
  try {
    // A header read decodes no pixels, so it runs without sharp's pixel limit and the check below reports
    // the actual dimensions.
    metadata = await sharp(bytes, { ...options, limitInputPixels: false }).metadata();
  } catch (error) {
    throw refusal(error, format);
  }
  if (metadata.format !== sharpFormatOf[format]) {
    throw unsupported(`The upload starts like ${formatNames[format]} but is not decodable as one.`);
  }

  const { width, height } = metadata.autoOrient;
  if (width * height > limits.maxInputPixels || Math.max(width, height) > limits.maxInputSidePx) {
    throw new ApiError(
      'image_too_large',
      `The image is ${width}×${height} pixels; the limit is ${limits.maxInputPixels} pixels and ${limits.maxInputSidePx} pixels per side.`,
      { width, height, maxInputPixels: limits.maxInputPixels, maxInputSidePx: limits.maxInputSidePx },
    );
  }

  const inspected: InspectedImage = { format, width, height, hasAlpha: metadata.hasAlpha };
  await beforeDecode?.(inspected);
  try {
    // Decoding every pixel is the only way to find truncated or corrupt data. Keeping one channel of the
    // output makes this about 3× cheaper than `.raw()` of all channels, while the decoder still runs in full.
    await sharp(bytes, { ...options, limitInputPixels: limits.maxInputPixels })
      .extractChannel(0)
      .raw()
      .toBuffer();
  } catch (error) {
    throw refusal(error, format);
  }

  return inspected;
};
