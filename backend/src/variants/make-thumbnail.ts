import { thumbnailMaxSidePx } from '@lumina/shared';
import sharp from 'sharp';

/** A small WebP for history lists: at most `thumbnailMaxSidePx` a side, never enlarged, transparency kept. */
export async function makeThumbnail(image: Uint8Array): Promise<Uint8Array> {
  return sharp(image)
    .resize(thumbnailMaxSidePx, thumbnailMaxSidePx, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80, alphaQuality: 90 })
    .toBuffer();
}
