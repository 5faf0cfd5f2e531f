import sharp from 'sharp';
import type { ImageCodec } from '../../src/ui/image-codec.ts';

/**
 * The UI's image codec on Node, with sharp instead of the browser's canvas (which Node lacks); the canvas one
 * is exercised by the UI test in Chromium.
 */
export const sharpCodec: ImageCodec = {
  async resize(bytes, widthPx, heightPx) {
    return new Uint8Array(await sharp(bytes).resize(widthPx, heightPx, { fit: 'fill' }).png().toBuffer());
  },
  async crop(bytes, rects) {
    return Promise.all(
      rects.map(
        async (rect) =>
          new Uint8Array(
            await sharp(bytes)
              .extract({ left: rect.x, top: rect.y, width: rect.widthPx, height: rect.heightPx })
              .png()
              .toBuffer(),
          ),
      ),
    );
  },
};
