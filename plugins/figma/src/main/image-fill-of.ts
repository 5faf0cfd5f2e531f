import type { HostNode } from './figma-host.ts';
import type { ImagePaint } from './figma-types.ts';

/** The topmost visible image paint of a node, with its index in the fills array, or null. */
export function imageFillOf(node: HostNode): { index: number; paint: ImagePaint & { imageHash: string } } | null {
  const fills = node.fills;
  if (fills === undefined || typeof fills === 'symbol') return null;
  for (let index = fills.length - 1; index >= 0; index -= 1) {
    const paint = fills[index];
    if (paint?.type === 'IMAGE' && paint.visible !== false && typeof paint.imageHash === 'string') {
      return { index, paint: { ...paint, imageHash: paint.imageHash } };
    }
  }
  return null;
}
