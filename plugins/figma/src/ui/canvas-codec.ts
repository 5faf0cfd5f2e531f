import type { ImageCodec } from './image-codec.ts';

async function toPng(canvas: OffscreenCanvas): Promise<Uint8Array> {
  const blob = await canvas.convertToBlob({ type: 'image/png' });
  return new Uint8Array(await blob.arrayBuffer());
}

/** The browser's decoder and canvas: what Figma's UI iframe has (the main thread has neither). */
export const canvasCodec: ImageCodec = {
  async resize(bytes, widthPx, heightPx) {
    const bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]));
    const canvas = new OffscreenCanvas(widthPx, heightPx);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2D canvas');
    context.imageSmoothingQuality = 'high';
    context.drawImage(bitmap, 0, 0, widthPx, heightPx);
    bitmap.close();
    return toPng(canvas);
  },
  async crop(bytes, rects) {
    const bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]));
    const pieces: Uint8Array[] = [];
    for (const rect of rects) {
      const canvas = new OffscreenCanvas(rect.widthPx, rect.heightPx);
      const context = canvas.getContext('2d');
      if (!context) throw new Error('no 2D canvas');
      context.drawImage(bitmap, rect.x, rect.y, rect.widthPx, rect.heightPx, 0, 0, rect.widthPx, rect.heightPx);
      pieces.push(await toPng(canvas));
    }
    bitmap.close();
    return pieces;
  },
};
