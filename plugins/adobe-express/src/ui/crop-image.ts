import { cropRect } from '../lib/crop-rect.ts';
import type { SelectedItem } from '../lib/sandbox-contract.ts';

/** The part of a page rendition under the element's bounds, as PNG (Express has no stable per-node pixels). */
export async function cropToItem(page: Blob, item: SelectedItem): Promise<Blob | null> {
  const bitmap = await createImageBitmap(page);
  try {
    const rect = cropRect(item.bounds, item.pageSize, { width: bitmap.width, height: bitmap.height });
    if (!rect) return null;
    const canvas = new OffscreenCanvas(rect.width, rect.height);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2d canvas context');
    context.drawImage(bitmap, rect.x, rect.y, rect.width, rect.height, 0, 0, rect.width, rect.height);
    return await canvas.convertToBlob({ type: 'image/png' });
  } finally {
    bitmap.close();
  }
}
