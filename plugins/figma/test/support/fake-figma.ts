import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { pngSize } from '../../src/lib/png-size.ts';
import type { ExportSettingsImage, ImagePaint, Paint } from '../../src/main/figma-types.ts';
import { strictView } from './plugin-typings.ts';

/**
 * Our own fake of the parts of Figma's Plugin API the plugin uses (no usable stub exists on npm). It keeps a
 * small document tree, stores images by hash and refuses those over 4096 px on a side as `figma.createImage`
 * does, exports real PNGs, and records undo steps, notifications, opened URLs and messages to the UI.
 */
export class FakeNode {
  name: string;
  x = 0;
  y = 0;
  width: number;
  height: number;
  visible = true;
  parent: FakeContainer | null = null;
  fills: Paint[] | undefined;
  relaunchData: Record<string, string> = {};
  readonly pluginData = new Map<string, string>();
  children: FakeNode[] = [];
  private wasRemoved = false;

  constructor(
    private readonly figma: FakeFigma,
    readonly id: string,
    readonly type: string,
    init: { name?: string; width?: number; height?: number; fills?: Paint[] },
  ) {
    this.name = init.name ?? type.toLowerCase();
    this.width = init.width ?? 100;
    this.height = init.height ?? 100;
    this.fills = type === 'GROUP' ? undefined : (init.fills ?? []);
  }

  get removed(): boolean {
    return this.wasRemoved;
  }

  /** Renders the node as a flat teal PNG at its size times the export scale. */
  async exportAsync(settings: ExportSettingsImage): Promise<Uint8Array> {
    if (this.wasRemoved) throw new Error(`The node with id ${this.id} does not exist`);
    this.figma.exports.push({ nodeId: this.id, settings });
    const scale = settings.constraint?.type === 'SCALE' ? settings.constraint.value : 1;
    const png = await sharp({
      create: {
        width: Math.max(1, Math.round(this.width * scale)),
        height: Math.max(1, Math.round(this.height * scale)),
        channels: 4,
        background: { r: 0, g: 128, b: 128, alpha: 1 },
      },
    })
      .png()
      .toBuffer();
    return new Uint8Array(png);
  }

  /** Figma refuses keys that are not relaunch commands of the manifest (where the fake was given one). */
  setRelaunchData(data: Record<string, string>) {
    const commands = this.figma.relaunchCommands;
    for (const key of Object.keys(data)) {
      if (commands && !commands.includes(key)) throw new Error(`relaunch command "${key}" is not in the manifest`);
    }
    this.relaunchData = { ...data };
  }

  /** Figma keeps strings only. */
  setPluginData(key: string, value: string) {
    if (typeof value !== 'string') throw new TypeError('setPluginData: expected the value to be a string');
    this.pluginData.set(key, value);
  }

  getPluginData(key: string): string {
    return this.pluginData.get(key) ?? '';
  }

  resize(width: number, height: number) {
    this.width = width;
    this.height = height;
  }

  insertChild(index: number, child: FakeNode) {
    child.detach();
    this.children.splice(index, 0, child);
    child.parent = this;
  }

  appendChild(child: FakeNode) {
    this.insertChild(this.children.length, child);
  }

  /** Deletes the node, as a user pressing Delete would. */
  remove() {
    this.detach();
    this.wasRemoved = true;
    for (const child of this.children) child.remove();
  }

  detach() {
    if (!this.parent) return;
    const siblings = this.parent.children;
    siblings.splice(siblings.indexOf(this), 1);
    this.parent = null;
  }
}

type FakeContainer = FakeNode | FakePage;

export class FakePage {
  readonly id = '0:1';
  readonly type = 'PAGE';
  children: FakeNode[] = [];
  selection: FakeNode[] = [];
  insertChild(index: number, child: FakeNode) {
    child.detach();
    this.children.splice(index, 0, child);
    child.parent = this;
  }
  appendChild(child: FakeNode) {
    this.insertChild(this.children.length, child);
  }
}

export const maxImageSidePx = 4096;

interface FakeParameterInput {
  key: string;
  query: string;
  parameters: Record<string, unknown>;
  result: {
    setSuggestions(suggestions: unknown[]): void;
    setError(message: string): void;
    setLoadingMessage(message: string): void;
  };
}

export class FakeFigma {
  readonly currentPage = new FakePage();
  readonly images = new Map<string, Uint8Array>();
  readonly storage = new Map<string, unknown>();
  readonly notifications: Array<{ message: string; error: boolean }> = [];
  readonly opened: string[] = [];
  readonly exports: Array<{ nodeId: string; settings: ExportSettingsImage }> = [];
  readonly toUi: unknown[] = [];
  undoSteps = 0;
  closed = false;
  shownUi: { html: string; options: unknown } | null = null;
  /** Receives every message the main thread posts to the UI. */
  uiListener: ((message: unknown) => void) | null = null;
  private nextId = 1;
  private selectionHandlers: Array<() => void> = [];
  private runHandlers: Array<(event: { command: string; parameters?: Record<string, unknown> }) => void> = [];
  private inputHandlers: Array<(event: FakeParameterInput) => void> = [];
  readonly mixed = Symbol('mixed');
  readonly revealed: string[] = [];

  /** `relaunchCommands`: the manifest's relaunch buttons, whose commands alone take relaunch data. */
  constructor(
    public command = '',
    readonly relaunchCommands: readonly string[] | null = null,
  ) {}

  /** The fake as plugin code sees it: members the installed typings do not declare throw. */
  get api(): this {
    return strictView(this, 'PluginAPI', {
      ui: 'UIAPI',
      clientStorage: 'ClientStorageAPI',
      viewport: 'ViewportAPI',
      parameters: 'ParametersAPI',
    });
  }

  readonly viewport = {
    scrollAndZoomIntoView: (nodes: ReadonlyArray<FakeNode>) => {
      this.revealed.push(...nodes.map((node) => node.id));
    },
  };

  readonly parameters = {
    on: (type: string, handler: (event: FakeParameterInput) => void) => {
      if (type !== 'input') throw new Error(`figma.parameters.on: unknown event "${type}"`);
      this.inputHandlers.push(handler);
    },
  };

  /** Runs the plugin as Figma does once its script is loaded: a menu command, or a quick action's values. */
  run(command: string, parameters?: Record<string, unknown>) {
    this.command = command;
    for (const handler of this.runHandlers) handler(parameters === undefined ? { command } : { command, parameters });
  }

  /** Types into a quick-actions parameter; resolves with the suggestions the plugin offered. */
  typeParameter(key: string, query: string): unknown[] {
    const offered: unknown[] = [];
    for (const handler of this.inputHandlers) {
      handler({
        key,
        query,
        parameters: {},
        result: {
          setSuggestions: (suggestions) => offered.push(...suggestions),
          setError: () => undefined,
          setLoadingMessage: () => undefined,
        },
      });
    }
    return offered;
  }

  readonly ui = {
    onmessage: undefined as ((message: unknown) => void) | undefined,
    postMessage: (message: unknown) => {
      this.toUi.push(message);
      this.uiListener?.(message);
    },
  };

  readonly clientStorage = {
    getAsync: async (key: string) => this.storage.get(key),
    setAsync: async (key: string, value: unknown) => {
      this.storage.set(key, value);
    },
    deleteAsync: async (key: string) => {
      this.storage.delete(key);
    },
  };

  /** Sends a message to the main thread as the UI would. */
  fromUi(message: unknown) {
    this.ui.onmessage?.(message);
  }

  showUI(html: string, options: unknown) {
    this.shownUi = { html, options };
  }

  on(type: string, handler: (event: { command: string; parameters?: Record<string, unknown> }) => void) {
    if (type === 'selectionchange') this.selectionHandlers.push(() => handler({ command: this.command }));
    else if (type === 'run') this.runHandlers.push(handler);
    else throw new Error(`figma.on: the fake does not emit "${type}"`);
  }

  select(nodes: FakeNode[]) {
    this.currentPage.selection = nodes;
    for (const handler of this.selectionHandlers) handler();
  }

  node(type: string, init: { name?: string; width?: number; height?: number; fills?: Paint[]; x?: number } = {}) {
    const node = new FakeNode(this, `1:${this.nextId++}`, type, init);
    node.x = init.x ?? 0;
    this.currentPage.appendChild(node);
    return node;
  }

  /** A rectangle whose fill is the given PNG, as when a designer drops an image on the canvas. */
  imageNode(
    png: Uint8Array,
    init: { name?: string; width?: number; height?: number; fill?: Partial<ImagePaint> } = {},
  ) {
    const hash = this.createImage(png).hash;
    const size = pngSize(png);
    const fill: ImagePaint = { type: 'IMAGE', scaleMode: 'FILL', imageHash: hash, ...init.fill };
    return this.node('RECTANGLE', {
      name: init.name ?? 'photo',
      width: init.width ?? size?.widthPx ?? 100,
      height: init.height ?? size?.heightPx ?? 100,
      fills: [fill],
    });
  }

  async getNodeByIdAsync(id: string): Promise<FakeNode | null> {
    const walk = (nodes: FakeNode[]): FakeNode | null => {
      for (const node of nodes) {
        if (node.id === id) return node;
        const found = walk(node.children);
        if (found) return found;
      }
      return null;
    };
    return walk(this.currentPage.children);
  }

  getImageByHash(hash: string) {
    const bytes = this.images.get(hash);
    if (!bytes) return null;
    return {
      hash,
      getBytesAsync: async () => bytes,
      getSizeAsync: async () => {
        const size = pngSize(bytes);
        if (!size) throw new Error('not a PNG');
        return { width: size.widthPx, height: size.heightPx };
      },
    };
  }

  createImage(bytes: Uint8Array): { hash: string } {
    const size = pngSize(bytes);
    if (!size) throw new Error('Image type is unsupported');
    if (size.widthPx > maxImageSidePx || size.heightPx > maxImageSidePx) throw new Error('Image is too large');
    const hash = createHash('sha1').update(bytes).digest('hex');
    this.images.set(hash, bytes);
    return { hash };
  }

  createRectangle(): FakeNode {
    return this.node('RECTANGLE');
  }

  group(nodes: FakeNode[], parent: FakeContainer, index?: number): FakeNode {
    const group = new FakeNode(this, `1:${this.nextId++}`, 'GROUP', {});
    const left = Math.min(...nodes.map((node) => node.x));
    const top = Math.min(...nodes.map((node) => node.y));
    group.x = left;
    group.y = top;
    group.width = Math.max(...nodes.map((node) => node.x + node.width)) - left;
    group.height = Math.max(...nodes.map((node) => node.y + node.height)) - top;
    parent.insertChild(index ?? parent.children.length, group);
    for (const node of nodes) group.appendChild(node);
    return group;
  }

  commitUndo() {
    this.undoSteps += 1;
  }

  notify(message: string, options?: { error?: boolean }) {
    this.notifications.push({ message, error: options?.error ?? false });
    return { cancel() {} };
  }

  openExternal(url: string) {
    this.opened.push(url);
  }

  /** Figma shows the message as a notification. */
  closePlugin(message?: string) {
    if (message !== undefined) this.notifications.push({ message, error: false });
    this.closed = true;
  }
}
