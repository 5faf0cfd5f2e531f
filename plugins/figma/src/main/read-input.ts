import type { ToMain, ToUi } from '../lib/messages.ts';
import { pngSize } from '../lib/png-size.ts';
import type { FigmaHost } from './figma-host.ts';
import { imageFillOf } from './image-fill-of.ts';

/** The bytes to send for one layer: an image fill's original bytes, or a PNG export at the chosen scale. */
export async function readInput(host: FigmaHost, message: Extract<ToMain, { type: 'read-input' }>): Promise<ToUi> {
  const { itemId } = message;
  const node = await host.getNodeByIdAsync(message.nodeId);
  if (!node || node.removed)
    return { type: 'item-failed', itemId, reason: 'node-gone', message: 'The layer was deleted.' };
  const fill = imageFillOf(node);
  const image = fill ? host.getImageByHash(fill.paint.imageHash) : null;
  if (image) {
    const bytes = await image.getBytesAsync();
    const size = await image.getSizeAsync();
    return { type: 'input', itemId, bytes, widthPx: size.width, heightPx: size.height, source: 'image-fill' };
  }
  if (node.width < 1 || node.height < 1) {
    return { type: 'item-failed', itemId, reason: 'no-input', message: 'The layer has no visible area.' };
  }
  const bytes = await node.exportAsync({ format: 'PNG', constraint: { type: 'SCALE', value: message.exportScale } });
  const size = pngSize(bytes);
  if (!size) return { type: 'item-failed', itemId, reason: 'no-input', message: 'The export was not a PNG.' };
  return { type: 'input', itemId, bytes, widthPx: size.widthPx, heightPx: size.heightPx, source: 'export' };
}
