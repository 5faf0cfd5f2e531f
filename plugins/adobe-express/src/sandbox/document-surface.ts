/**
 * The part of `express-document-sdk` Lumina uses, as structural types named after the SDK's own. The real
 * `editor` satisfies them (code.ts passes it as is, so the compiler checks that), and the tests' fake implements
 * exactly this, nothing more.
 */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

/** `AddOnData`: per-node private metadata of this add-on. */
export interface AddOnDataSurface {
  getItem(key: string): string | undefined;
  setItem(key: string, value: string): void;
}

/** `BaseNode` / `VisualNode`. */
export interface BaseNodeSurface {
  readonly id: string;
  readonly type: string;
  readonly addOnData: AddOnDataSurface;
}

export interface VisualNodeSurface extends BaseNodeSurface {
  readonly boundsLocal: Readonly<Rect>;
  /** Every child in z-order, whatever its slot (stable, unlike the experimental `allDescendants`). */
  readonly allChildren: Iterable<VisualNodeSurface>;
}

/** `BitmapImage`, as `editor.loadBitmapImage` returns it. */
export interface BitmapImageSurface {
  readonly width: number;
  readonly height: number;
  /** Experimental: the encoded bitmap. */
  data?(): Promise<Blob>;
}

/** `ImageRectangleNode` / `UnknownMediaRectangleNode`; `canExportMedia` is experimental. */
export interface MediaRectangleSurface {
  readonly type: string;
  canExportMedia?(): boolean;
  /** Experimental: the image resource this rectangle shows. */
  fetchBitmapImage?(): Promise<BitmapImageSurface>;
}

/** `Node`: a visual node with a parent, a position and bounds. */
export interface NodeSurface extends VisualNodeSurface {
  readonly parent: BaseNodeSurface | undefined;
  readonly visualRoot: VisualNodeSurface;
  readonly boundsInParent: Readonly<Rect>;
  boundsInNode(targetNode: VisualNodeSurface): Readonly<Rect>;
  translation: Readonly<Point>;
}

/** `MediaContainerNode` (and `GridCellNode`): media that `replaceMedia` swaps in place. */
export interface MediaContainerSurface extends NodeSurface {
  readonly mediaRectangle: MediaRectangleSurface;
  replaceMedia(media: BitmapImageSurface): void;
}

/** `ItemList<Node>`. */
export interface ItemListSurface {
  append(...items: NodeSurface[]): void;
  insertAfter(newItem: NodeSurface, after: NodeSurface): void;
}

/** `ContainerNode`. */
export interface ContainerSurface extends BaseNodeSurface {
  readonly children: ItemListSurface;
}

/** `EditorEvent`: the SDK's enum values are these strings. */
export type EditorEventName = 'selectionChange';

/** `Context`. */
export interface ContextSurface {
  get selection(): readonly NodeSurface[];
  /** Selecting a node the user asked to jump to; Express filters out what cannot be selected. */
  set selection(nodes: readonly NodeSurface[]);
  /** Registers a handler for an editor event; answers the id `off` takes. */
  on(eventName: EditorEventName, callback: () => void): string;
  off(eventName: EditorEventName, handlerId: string): void;
  readonly insertionParent: ContainerSurface;
  /** `ExpressContext.currentPage`: its artboards are walked (`allChildren`) to find a node once the selection has moved on. */
  readonly currentPage: { readonly allChildren: Iterable<VisualNodeSurface> };
}

/** `Editor`. */
export interface EditorSurface {
  readonly context: ContextSurface;
  loadBitmapImage(bitmapData: Blob): Promise<BitmapImageSurface>;
  createImageContainer(
    bitmapData: BitmapImageSurface,
    options?: { initialSize?: { width: number; height: number } },
  ): MediaContainerSurface;
  keepContentActiveDuringAsync<T>(
    target: BaseNodeSurface,
    asyncLambda: () => Promise<T>,
    afterAsyncCallback: (asyncResult: T) => void,
  ): Promise<void>;
}

export const isMediaContainer = (node: NodeSurface): node is MediaContainerSurface =>
  (node.type === 'MediaContainer' || node.type === 'GridCell') && 'replaceMedia' in node;

export const isContainer = (node: BaseNodeSurface | undefined): node is ContainerSurface =>
  node !== undefined && 'children' in node;

export const isNode = (node: VisualNodeSurface): node is NodeSurface => 'boundsInParent' in node && 'parent' in node;
