import type { SelectionItem } from '../lib/messages.ts';
import type { FigmaHost } from './figma-host.ts';
import { imageFillOf } from './image-fill-of.ts';

/** Every selected layer that can be sent: image fills at their own pixel size, anything else by its bounds. */
export async function describeSelection(host: FigmaHost): Promise<SelectionItem[]> {
  const items: SelectionItem[] = [];
  for (const node of host.selection()) {
    const fill = imageFillOf(node);
    const image = fill ? host.getImageByHash(fill.paint.imageHash) : null;
    const size = image ? await image.getSizeAsync() : { width: node.width, height: node.height };
    items.push({
      nodeId: node.id,
      name: node.name,
      nodeType: node.type,
      hasImageFill: image !== null,
      widthPx: Math.round(size.width),
      heightPx: Math.round(size.height),
    });
  }
  return items;
}
