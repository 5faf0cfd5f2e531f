import type {
  AddOnDataSurface,
  BaseNodeSurface,
  BitmapImageSurface,
  ContainerSurface,
  EditorEventName,
  EditorSurface,
  ItemListSurface,
  MediaContainerSurface,
  MediaRectangleSurface,
  NodeSurface,
  Point,
  Rect,
  VisualNodeSurface,
} from '../src/sandbox/document-surface.ts';
import { type ExperimentalRules, strictSdkObject } from './support/experimental-rules.ts';

type FakeVisual = FakeNode | FakeArtboard;

/**
 * The project's own fake of the `express-document-sdk` surface Lumina uses. It keeps a small scenegraph
 * (artboard → groups → nodes, translations only) and is as strict as Express where it matters: after an await,
 * the document may only be edited inside `keepContentActiveDuringAsync`'s `afterAsyncCallback`, and only within
 * the subtree of the node passed to it; and every member the installed SDK marks `@experimental` throws unless
 * the manifest allows experimental APIs.
 */
export class FakeDocument {
  readonly log: string[] = [];
  /** The roots kept active right now; `'setup'` while the test builds content the real document would hold. */
  private readonly active: Array<FakeVisual | 'setup'> = [];
  private nextId = 1;

  constructor(readonly rules: ExperimentalRules) {}

  id(prefix: string) {
    return `${prefix}-${this.nextId++}`;
  }

  /**
   * Every mutation calls this with the node it changes. Outside an edit span it throws, as touching unloaded content
   * would; inside one it throws unless `node` is in the kept subtree (or not in the document yet, like a container
   * just created).
   */
  assertEditable(what: string, node: FakeVisual | 'new content') {
    const root = this.active.at(-1);
    if (root === undefined) throw new Error(`${what} outside keepContentActiveDuringAsync's afterAsyncCallback`);
    if (root !== 'setup' && node !== 'new content' && node.isInDocument() && !node.isWithin(root)) {
      throw new Error(`${what} on ${node.id}, outside the subtree kept active (${root.id})`);
    }
    this.log.push(what);
  }

  /** Builds content as the test's setup, which the real document would already hold. */
  setup<T>(build: () => T): T {
    this.active.push('setup');
    try {
      return build();
    } finally {
      this.active.pop();
    }
  }

  async editAfter<T>(root: FakeVisual, lambda: () => Promise<T>, after: (value: T) => void) {
    const value = await lambda();
    this.active.push(root);
    try {
      after(value);
    } finally {
      this.active.pop();
    }
  }

  /** Wraps a fake host object so it refuses the experimental members of its SDK class. */
  strict<T extends object>(target: T, sdkType: () => string): T {
    return strictSdkObject(target, sdkType, this.rules);
  }
}

class FakeAddOnData implements AddOnDataSurface {
  private readonly items = new Map<string, string>();
  constructor(
    private readonly doc: FakeDocument,
    private readonly owner: FakeVisual,
  ) {
    // biome-ignore lint/correctness/noConstructorReturn: the strict wrapper stands in for the object itself
    return doc.strict(this, () => 'AddOnData');
  }
  getItem(key: string) {
    return this.items.get(key);
  }
  setItem(key: string, value: string) {
    this.doc.assertEditable(`addOnData.setItem ${key}`, this.owner);
    this.items.set(key, value);
  }
}

class FakeItemList implements ItemListSurface {
  readonly items: FakeNode[] = [];
  constructor(
    private readonly doc: FakeDocument,
    private readonly owner: FakeContainerNode | FakeArtboard,
  ) {
    // biome-ignore lint/correctness/noConstructorReturn: the strict wrapper stands in for the object itself
    return doc.strict(this, () => 'ItemList');
  }
  append(...items: NodeSurface[]) {
    this.doc.assertEditable('children.append', this.owner);
    for (const item of items) this.adopt(item, this.items.length);
  }
  insertAfter(newItem: NodeSurface, after: NodeSurface) {
    this.doc.assertEditable('children.insertAfter', this.owner);
    const index = this.items.indexOf(after as FakeNode);
    if (index < 0) throw new Error('insertAfter: reference node is not a child');
    this.adopt(newItem, index + 1);
  }
  private adopt(item: NodeSurface, index: number) {
    if (!(item instanceof FakeNode)) throw new Error('only nodes of this document can be inserted');
    item.parentNode = this.owner;
    this.items.splice(index, 0, item);
  }
}

export class FakeArtboard implements VisualNodeSurface, ContainerSurface {
  readonly id: string;
  readonly type = 'ab:Artboard';
  readonly addOnData: FakeAddOnData;
  readonly children: FakeItemList;
  constructor(
    readonly doc: FakeDocument,
    readonly width: number,
    readonly height: number,
  ) {
    this.id = doc.id('artboard');
    const self = doc.strict(this, () => 'ArtboardNode');
    this.addOnData = new FakeAddOnData(doc, self);
    this.children = new FakeItemList(doc, self);
    // biome-ignore lint/correctness/noConstructorReturn: the strict wrapper stands in for the object itself
    return self;
  }
  get boundsLocal(): Rect {
    return { x: 0, y: 0, width: this.width, height: this.height };
  }
  get allChildren(): readonly FakeNode[] {
    return [...this.children.items];
  }
  get visualRoot(): VisualNodeSurface {
    return this;
  }
  isInDocument() {
    return true;
  }
  isWithin(root: FakeVisual) {
    return root === this;
  }
}

export class FakeNode implements NodeSurface {
  readonly id: string;
  readonly addOnData: FakeAddOnData;
  parentNode: FakeContainerNode | FakeArtboard | undefined;
  private position: Point;
  constructor(
    readonly doc: FakeDocument,
    readonly type: string,
    protected size: { width: number; height: number },
    at: Point = { x: 0, y: 0 },
  ) {
    this.id = doc.id(type.toLowerCase());
    const self = doc.strict(this, () => this.sdkType);
    this.addOnData = new FakeAddOnData(doc, self);
    this.position = at;
    // biome-ignore lint/correctness/noConstructorReturn: the strict wrapper stands in for the object itself
    return self;
  }
  /** The SDK class this fake stands for, whose experimental members it refuses. */
  get sdkType(): string {
    return sdkNodeTypes[this.type] ?? 'Node';
  }
  get allChildren(): readonly FakeNode[] {
    return [];
  }
  /** Attached, through its parents, to the artboard (a node just created is not, until it is inserted). */
  isInDocument(): boolean {
    return this.parentNode?.isInDocument() ?? false;
  }
  /** `root` is this node or one of its ancestors. */
  isWithin(root: FakeVisual): boolean {
    return root === this || (this.parentNode?.isWithin(root) ?? false);
  }
  get parent(): BaseNodeSurface | undefined {
    return this.parentNode;
  }
  get visualRoot(): VisualNodeSurface {
    let node: FakeNode | FakeContainerNode | FakeArtboard | undefined = this;
    while (node instanceof FakeNode) node = node.parentNode;
    if (!node) throw new Error('orphaned node has no visual root');
    return node;
  }
  get boundsLocal(): Rect {
    return { x: 0, y: 0, width: this.size.width, height: this.size.height };
  }
  get boundsInParent(): Rect {
    return { x: this.position.x, y: this.position.y, width: this.size.width, height: this.size.height };
  }
  boundsInNode(target: VisualNodeSurface): Rect {
    let x = 0;
    let y = 0;
    let node: FakeNode | FakeContainerNode | FakeArtboard | undefined = this;
    while (node instanceof FakeNode && node !== target) {
      x += node.position.x;
      y += node.position.y;
      node = node.parentNode;
    }
    if (node !== target) throw new Error('target is not an ancestor');
    return { x, y, width: this.size.width, height: this.size.height };
  }
  get translation(): Point {
    return this.position;
  }
  set translation(value: Point) {
    this.doc.assertEditable('translation', this);
    this.position = { ...value };
  }
}

/** The SDK classes the fake's node types stand for. */
const sdkNodeTypes: Record<string, string> = {
  Group: 'GroupNode',
  Text: 'StandaloneTextNode',
  Rectangle: 'RectangleNode',
  Ellipse: 'EllipseNode',
  MediaContainer: 'MediaContainerNode',
  GridCell: 'GridCellNode',
};

export class FakeContainerNode extends FakeNode implements ContainerSurface {
  readonly children: FakeItemList;
  constructor(doc: FakeDocument, type: string, size: { width: number; height: number }, at?: Point) {
    super(doc, type, size, at);
    this.children = new FakeItemList(doc, this);
  }
  override get allChildren(): readonly FakeNode[] {
    return [...this.children.items];
  }
}

export class FakeBitmap implements BitmapImageSurface {
  constructor(
    readonly width: number,
    readonly height: number,
    readonly bytes: Uint8Array,
    rules?: ExperimentalRules,
  ) {
    // biome-ignore lint/correctness/noConstructorReturn: the strict wrapper stands in for the object itself
    if (rules) return strictSdkObject(this, () => 'BitmapImage', rules);
  }
  async data() {
    return new Blob([this.bytes.slice()], { type: 'image/png' });
  }
}

class FakeMediaRectangle implements MediaRectangleSurface {
  canExportMediaCalls = 0;
  constructor(
    readonly doc: FakeDocument,
    readonly type: 'ImageRectangle' | 'UnknownMediaRectangle',
    readonly premium: boolean,
    readonly bitmap: FakeBitmap | null = null,
  ) {
    // biome-ignore lint/correctness/noConstructorReturn: the strict wrapper stands in for the object itself
    return doc.strict(this, () => `${this.type}Node`);
  }
  async fetchBitmapImage() {
    if (!this.bitmap) throw new Error('no bitmap behind this media');
    return this.bitmap;
  }
  canExportMedia() {
    this.canExportMediaCalls += 1;
    return !this.premium;
  }
}

export class FakeMediaContainer extends FakeNode implements MediaContainerSurface {
  mediaRectangle: FakeMediaRectangle;
  bitmap: FakeBitmap | null;
  constructor(
    doc: FakeDocument,
    media: {
      bitmap: FakeBitmap | null;
      kind?: 'ImageRectangle' | 'UnknownMediaRectangle';
      premium?: boolean;
      /** A grid cell (`GridCellNode`) rather than a media container. */
      cell?: boolean;
    },
    size: { width: number; height: number },
    at?: Point,
  ) {
    super(doc, media.cell ? 'GridCell' : 'MediaContainer', size, at);
    this.bitmap = media.bitmap;
    this.mediaRectangle = new FakeMediaRectangle(
      doc,
      media.kind ?? 'ImageRectangle',
      media.premium ?? false,
      media.bitmap,
    );
  }
  replaceMedia(media: BitmapImageSurface) {
    this.doc.assertEditable('replaceMedia', this);
    if (!(media instanceof FakeBitmap)) throw new Error('replaceMedia takes a BitmapImage from loadBitmapImage');
    this.bitmap = media;
    this.mediaRectangle = new FakeMediaRectangle(this.doc, 'ImageRectangle', false, media);
  }
}

/** Width and height from a PNG or JPEG header; `loadBitmapImage` refuses anything else, as Express does. */
function imageSize(bytes: Uint8Array): { width: number; height: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length > 24 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) {
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    let offset = 2;
    while (offset + 9 < bytes.length) {
      const marker = bytes[offset + 1] ?? 0;
      const length = view.getUint16(offset + 2);
      if (marker >= 0xc0 && marker <= 0xc3)
        return { height: view.getUint16(offset + 5), width: view.getUint16(offset + 7) };
      offset += 2 + length;
    }
  }
  throw new Error('loadBitmapImage: only PNG and JPEG are supported');
}

export class FakeEditor implements EditorSurface {
  readonly doc: FakeDocument;
  readonly artboard: FakeArtboard;
  /** The selection as the test set it up; `select` changes it as the user would, with `selectionChange`. */
  selected: FakeNode[] = [];
  private readonly selectionHandlers = new Map<string, () => void>();
  private nextHandlerId = 1;

  constructor(rules: ExperimentalRules, page: { width: number; height: number } = { width: 1080, height: 1080 }) {
    this.doc = new FakeDocument(rules);
    this.artboard = new FakeArtboard(this.doc, page.width, page.height);
    // biome-ignore lint/correctness/noConstructorReturn: the strict wrapper stands in for the object itself
    return this.doc.strict(this, () => 'ExpressEditor');
  }

  get context() {
    const editor = this;
    const page = this.doc.strict(
      {
        get allChildren(): readonly FakeArtboard[] {
          return [editor.artboard];
        },
      },
      () => 'ActivePageNode',
    );
    const context = {
      get selection(): readonly NodeSurface[] {
        return editor.selected;
      },
      set selection(nodes: readonly NodeSurface[]) {
        editor.select(...nodes.filter((node): node is FakeNode => node instanceof FakeNode));
      },
      get insertionParent(): ContainerSurface {
        return editor.artboard;
      },
      get currentPage() {
        return page;
      },
      on(eventName: EditorEventName, callback: () => void): string {
        if (eventName !== 'selectionChange') throw new Error(`no editor event ${String(eventName)}`);
        const handlerId = `handler-${editor.nextHandlerId++}`;
        editor.selectionHandlers.set(handlerId, callback);
        return handlerId;
      },
      off(eventName: EditorEventName, handlerId: string): void {
        if (eventName !== 'selectionChange') throw new Error(`no editor event ${String(eventName)}`);
        editor.selectionHandlers.delete(handlerId);
      },
    };
    return this.doc.strict(context, () => 'ExpressContext');
  }

  /** How many `selectionChange` handlers are registered. */
  get selectionHandlerCount() {
    return this.selectionHandlers.size;
  }

  /**
   * Changes the selection as the user would and fires `selectionChange`. Handlers run outside any edit span, so
   * one that edits the document throws, as the SDK warns it may destabilize Express.
   */
  select(...nodes: FakeNode[]) {
    this.selected = nodes;
    for (const handler of [...this.selectionHandlers.values()]) handler();
  }

  /** Adds a node to a parent as part of the test's setup. */
  add<T extends FakeNode>(node: T, parent: FakeArtboard | FakeContainerNode = this.artboard): T {
    this.doc.setup(() => parent.children.append(node));
    return node;
  }

  async loadBitmapImage(blob: Blob): Promise<BitmapImageSurface> {
    this.doc.log.push('loadBitmapImage');
    const bytes = new Uint8Array(await blob.arrayBuffer());
    const { width, height } = imageSize(bytes);
    return new FakeBitmap(width, height, bytes, this.doc.rules);
  }

  createImageContainer(
    bitmap: BitmapImageSurface,
    options?: { initialSize?: { width: number; height: number } },
  ): MediaContainerSurface {
    this.doc.assertEditable('createImageContainer', 'new content');
    if (!(bitmap instanceof FakeBitmap)) throw new Error('createImageContainer takes a BitmapImage');
    const size = options?.initialSize ?? { width: bitmap.width, height: bitmap.height };
    const ratio = size.width / size.height / (bitmap.width / bitmap.height);
    if (Math.abs(ratio - 1) > 1e-6) throw new Error('initialSize must have the bitmap aspect ratio');
    return new FakeMediaContainer(this.doc, { bitmap }, size);
  }

  keepContentActiveDuringAsync<T>(
    target: BaseNodeSurface,
    asyncLambda: () => Promise<T>,
    afterAsyncCallback: (asyncResult: T) => void,
  ): Promise<void> {
    if (!(target instanceof FakeNode || target instanceof FakeArtboard)) {
      throw new Error('keepContentActiveDuringAsync takes a node of this document');
    }
    this.doc.log.push(`keepContentActiveDuringAsync ${target.id}`);
    return this.doc.editAfter(target, asyncLambda, afterAsyncCallback);
  }
}
