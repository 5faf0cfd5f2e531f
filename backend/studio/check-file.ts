/** MIME types a browser reports for the formats the API reads (`limits.inputFormats`). */
const mimeOf: Record<string, readonly string[]> = {
  png: ['image/png'],
  jpeg: ['image/jpeg'],
  webp: ['image/webp'],
  avif: ['image/avif'],
  heif: ['image/heic', 'image/heif'],
  tiff: ['image/tiff'],
  gif: ['image/gif'],
};
const extensionsOf: Record<string, readonly string[]> = {
  png: ['png'],
  jpeg: ['jpg', 'jpeg'],
  webp: ['webp'],
  avif: ['avif'],
  heif: ['heic', 'heif'],
  tiff: ['tif', 'tiff'],
  gif: ['gif'],
};

export const megabytes = (bytes: number): string => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

/**
 * Why a picked or dropped file cannot be sent, in plain words, or null when it can: checked before any upload
 * against the server's own limits, so nobody waits for 25 MB to travel just to be refused.
 */
export function checkFile(
  file: { name: string; size: number; type: string },
  limits: { maxUploadBytes: number; inputFormats: readonly string[] },
): string | null {
  if (file.size === 0) return `${file.name} is empty.`;
  if (file.size > limits.maxUploadBytes) {
    return `${file.name} is ${megabytes(file.size)}; images can be at most ${megabytes(limits.maxUploadBytes)}.`;
  }
  const extension = file.name.split('.').pop()?.toLowerCase() ?? '';
  const known = limits.inputFormats.some(
    (format) => (mimeOf[format] ?? []).includes(file.type) || (extensionsOf[format] ?? []).includes(extension),
  );
  if (!known) {
    const names = limits.inputFormats.map((format) => format.toUpperCase()).join(', ');
    return `${file.name} is not an image Lumina can read. Use one of: ${names}.`;
  }
  return null;
}
