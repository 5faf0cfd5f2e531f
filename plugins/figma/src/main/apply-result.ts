import { fitsFigma } from '../lib/figma-limits.ts';
import type { ToMain, ToUi } from '../lib/messages.ts';
import type { FigmaHost, HostNode } from './figma-host.ts';
import type { Paint } from './figma-types.ts';
import { imageFillOf } from './image-fill-of.ts';
import { lastJobKey } from './job-of-command.ts';

/** Space between an original and a result placed beside it, in canvas units. */
const besideGap = 24;

/**
 * Puts one result into the document: the image fill swapped in place (scale mode, transform and filters kept),
 * or a new layer (one image, or a group of tiles) beside the original or over it. One undo step per result.
 */
export async function applyResult(host: FigmaHost, message: Extract<ToMain, { type: 'apply-result' }>): Promise<ToUi> {
  const { itemId } = message;
  // Re-resolved here: the layer may have been deleted while the task ran.
  const node = await host.getNodeByIdAsync(message.nodeId);
  if (!node || node.removed) {
    return {
      type: 'item-failed',
      itemId,
      reason: 'node-gone',
      message: 'The layer was deleted while it was processed.',
    };
  }
  const oversized = message.pieces.find((piece) => !fitsFigma(piece.widthPx, piece.heightPx));
  if (oversized) {
    return {
      type: 'item-failed',
      itemId,
      reason: 'too-large',
      message: `Figma cannot hold a ${oversized.widthPx}×${oversized.heightPx} px image (4096 px at most).`,
    };
  }
  const hashes: string[] = [];
  try {
    for (const piece of message.pieces) hashes.push(host.createImage(piece.bytes).hash);
  } catch (error) {
    return { type: 'item-failed', itemId, reason: 'failed', message: `Figma refused the image: ${String(error)}` };
  }

  const fill = imageFillOf(node);
  const [onlyHash] = hashes;
  let target: HostNode;
  if (message.placement === 'replace' && fill && onlyHash !== undefined && hashes.length === 1) {
    const fills = node.fills as ReadonlyArray<Paint>;
    // Fills are immutable: a copy with the one paint's hash swapped keeps scaleMode, imageTransform and filters.
    node.fills = fills.map((paint, index) => (index === fill.index ? { ...fill.paint, imageHash: onlyHash } : paint));
    target = node;
  } else {
    target = insertResultLayer(host, node, message, hashes);
    if (message.placement === 'replace' || message.hideOriginal) node.visible = false;
  }
  // The relaunch button repeats exactly this job: its options ride on the layer as plugin data.
  target.setPluginData(lastJobKey, JSON.stringify(message.job));
  target.setRelaunchData({ open: '', repeat: `Lumina: ${message.label}` });
  host.commitUndo();
  return { type: 'applied', itemId, nodeId: target.id };
}

function insertResultLayer(
  host: FigmaHost,
  node: HostNode,
  message: Extract<ToMain, { type: 'apply-result' }>,
  hashes: readonly string[],
): HostNode {
  // The result is shown at the original's width; its height follows the result's own aspect ratio.
  const unitsPerPx = node.width / message.widthPx;
  const rects = message.pieces.map((piece, index) => {
    const rect = host.createRectangle();
    rect.name = message.pieces.length > 1 ? `Tile ${index + 1}` : `${node.name} · ${message.label}`;
    rect.resize(Math.max(0.01, piece.widthPx * unitsPerPx), Math.max(0.01, piece.heightPx * unitsPerPx));
    rect.x = piece.x * unitsPerPx;
    rect.y = piece.y * unitsPerPx;
    rect.fills = [{ type: 'IMAGE', scaleMode: 'FILL', imageHash: hashes[index] ?? null }];
    return rect;
  });
  const parent = node.parent;
  const index = parent ? parent.children.indexOf(node) + 1 : undefined;
  const left = message.placement === 'replace' ? node.x : node.x + node.width + besideGap;
  if (rects.length === 1 && rects[0]) {
    const rect = rects[0];
    if (parent && index !== undefined) parent.insertChild(index, rect);
    rect.x = left;
    rect.y = node.y;
    return rect;
  }
  for (const rect of rects) {
    rect.x += left;
    rect.y += node.y;
    if (parent && index !== undefined) parent.insertChild(index, rect);
  }
  const group = parent ? host.group(rects, parent, index) : host.group(rects, rects[0]?.parent ?? never());
  group.name = `${node.name} · ${message.label}`;
  return group;
}

function never(): never {
  throw new Error('a layer always has a parent');
}
