import { TaskId } from '@lumina/shared';
import { besidePosition } from '../lib/beside-position.ts';
import {
  type LuminaSandboxApi,
  type NodeKind,
  type PlaceOutcome,
  PlaceResultArgs,
  ReadMediaArgs,
  type ReadMediaOutcome,
  type SelectedItem,
  type SelectionSnapshot,
  SelectNodeArgs,
  type SelectNodeOutcome,
  taskIdDataKey,
} from '../lib/sandbox-contract.ts';
import {
  type EditorSurface,
  isContainer,
  isMediaContainer,
  isNode,
  type NodeSurface,
  type VisualNodeSurface,
} from './document-surface.ts';

export interface LuminaSandboxOptions {
  /** The experimental build asks `canExportMedia()`; production add-ons may not call experimental APIs. */
  readonly experimentalApis?: boolean;
}

const shapeTypes = new Set([
  'Rectangle',
  'Ellipse',
  'Path',
  'Line',
  'ComplexShape',
  'SolidColorShape',
  'StrokeShape',
  'artgr:Polygon',
]);

function kindOf(node: NodeSurface): NodeKind {
  if (isMediaContainer(node)) return node.mediaRectangle.type === 'ImageRectangle' ? 'image' : 'media';
  if (node.type === 'Text') return 'text';
  if (node.type === 'Group') return 'group';
  if (shapeTypes.has(node.type)) return 'shape';
  return 'other';
}

/** The largest size with the bitmap's aspect ratio that fits in `box` (`createImageContainer` needs the ratio). */
function containSize(bitmap: { width: number; height: number }, box: { width: number; height: number }) {
  const scale = Math.min(box.width / bitmap.width, box.height / bitmap.height);
  return { width: bitmap.width * scale, height: bitmap.height * scale };
}

/**
 * Lumina's document-sandbox side over the `express-document-sdk` surface: reads the selection (kind, bounds in
 * page space, the task id of images Lumina inserted) and puts a result back, in place or beside the original,
 * with every edit after the image load inside `keepContentActiveDuringAsync`.
 */
export function createLuminaSandbox(editor: EditorSurface, options: LuminaSandboxOptions = {}): LuminaSandboxApi {
  const describe = (node: NodeSurface): SelectedItem => {
    const root = node.visualRoot;
    const bounds = node.boundsInNode(root);
    const media = isMediaContainer(node) ? node : undefined;
    const tagged = TaskId.safeParse(node.addOnData.getItem(taskIdDataKey));
    return {
      nodeId: node.id,
      kind: kindOf(node),
      bounds: { x: bounds.x, y: bounds.y, width: bounds.width, height: bounds.height },
      pageSize: { width: root.boundsLocal.width, height: root.boundsLocal.height },
      replaceable: media !== undefined && media.mediaRectangle.type === 'ImageRectangle',
      luminaTaskId: tagged.success ? tagged.data : null,
      mediaExportable:
        options.experimentalApis && media?.mediaRectangle.canExportMedia ? media.mediaRectangle.canExportMedia() : null,
    };
  };

  /**
   * The selected node, or (the user may have clicked elsewhere while the task ran) the same node found by walking
   * the current page's artboards through `allChildren`, which is stable (`allDescendants` is experimental).
   */
  const findNode = (nodeId: string): NodeSurface | undefined => {
    const selected = editor.context.selection.find((candidate) => candidate.id === nodeId);
    if (selected) return selected;
    const pending: VisualNodeSurface[] = [...editor.context.currentPage.allChildren];
    for (let next = pending.pop(); next; next = pending.pop()) {
      if (next.id === nodeId && isNode(next)) return next;
      pending.push(...next.allChildren);
    }
    return undefined;
  };

  const failure = (code: Extract<PlaceOutcome, { ok: false }>['code'], message: string): PlaceOutcome => ({
    ok: false,
    code,
    message,
  });

  return {
    readSelection(...args: unknown[]): SelectionSnapshot {
      if (args.length > 0) throw new TypeError('readSelection takes no arguments');
      return { items: editor.context.selection.map(describe) };
    },

    selectNode(raw: unknown): SelectNodeOutcome {
      const parsed = SelectNodeArgs.safeParse(raw);
      const node = parsed.success ? findNode(parsed.data.nodeId) : undefined;
      if (!node) return { selected: false };
      editor.context.selection = [node];
      return { selected: true };
    },

    async placeResult(raw: unknown): Promise<PlaceOutcome> {
      const parsed = PlaceResultArgs.safeParse(raw);
      if (!parsed.success) return failure('invalid_arguments', parsed.error.message);
      const args = parsed.data;
      // Content is only guaranteed until the first await: find the node now, then keep it active.
      const node = findNode(args.nodeId);
      if (!node) return failure('node_gone', 'The element is no longer in the document.');
      const image = args.image;
      if (!(image instanceof Blob)) return failure('invalid_arguments', 'image must be a Blob');
      const replaceTarget = isMediaContainer(node) && kindOf(node) === 'image' ? node : undefined;
      if (args.placement === 'replace' && !replaceTarget) {
        return failure('not_replaceable', 'Only an image can be replaced in place; the result can go beside it.');
      }
      if (args.placement === 'replace' && replaceTarget) {
        // Only the node changes, so only the node is kept active. The container keeps its add-on data across
        // `replaceMedia`, so the tag follows the new image.
        await editor.keepContentActiveDuringAsync(
          replaceTarget,
          () => editor.loadBitmapImage(image),
          (bitmap) => {
            replaceTarget.replaceMedia(bitmap);
            replaceTarget.addOnData.setItem(taskIdDataKey, args.taskId);
          },
        );
        return { ok: true, nodeId: node.id, placement: 'replace' };
      }

      // Beside: the new container goes into the artboard (the node's visual root), so the artboard is what must stay
      // active; its position is computed in artboard space and kept inside the artboard.
      const artboard = node.visualRoot;
      if (!isContainer(artboard)) return failure('not_insertable', 'The element is not on an artboard.');
      const original = node.boundsInNode(artboard);
      const page = artboard.boundsLocal;
      let placedId: string | undefined;
      await editor.keepContentActiveDuringAsync(
        artboard,
        () => editor.loadBitmapImage(image),
        (bitmap) => {
          const box = besidePosition(original, containSize(bitmap, original), page);
          const container = editor.createImageContainer(bitmap, {
            initialSize: { width: box.width, height: box.height },
          });
          container.translation = { x: box.x, y: box.y };
          container.addOnData.setItem(taskIdDataKey, args.taskId);
          // Right above the original in z-order when it sits directly on the artboard; on top otherwise.
          if (node.parent?.id === artboard.id) artboard.children.insertAfter(container, node);
          else artboard.children.append(container);
          placedId = container.id;
        },
      );
      if (!placedId) return failure('not_insertable', 'The result could not be added to the page.');
      return { ok: true, nodeId: placedId, placement: 'beside' };
    },

    async readMedia(raw: unknown): Promise<ReadMediaOutcome> {
      const refuse = (code: Extract<ReadMediaOutcome, { ok: false }>['code'], message: string): ReadMediaOutcome => ({
        ok: false,
        code,
        message,
      });
      if (!options.experimentalApis) return refuse('experimental_apis_off', 'Reading pixels needs experimental APIs.');
      const parsed = ReadMediaArgs.safeParse(raw);
      if (!parsed.success) return refuse('invalid_arguments', parsed.error.message);
      const node = findNode(parsed.data.nodeId);
      if (!node) return refuse('node_gone', 'The element is no longer in the document.');
      if (!isMediaContainer(node) || kindOf(node) !== 'image') return refuse('not_an_image', 'This is not an image.');
      const rectangle = node.mediaRectangle;
      if (rectangle.canExportMedia && !rectangle.canExportMedia()) {
        return refuse('premium_content', 'Express does not allow exporting this image.');
      }
      let image: Blob | undefined;
      await editor.keepContentActiveDuringAsync(
        node,
        async () => {
          const bitmap = await rectangle.fetchBitmapImage?.();
          return bitmap?.data ? bitmap.data() : undefined;
        },
        (blob) => {
          image = blob;
        },
      );
      return image ? { ok: true, image } : refuse('not_an_image', 'The image has no readable pixels.');
    },
  };
}
