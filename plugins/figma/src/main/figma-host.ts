import type {
  BaseNode,
  ChildrenMixin,
  ExportSettingsImage,
  Paint,
  PluginAPI,
  SceneNode,
  ShowUIOptions,
} from './figma-types.ts';

/**
 * The parts of Figma's Plugin API the main thread uses, as a small interface: the real `figma` is wrapped into
 * it by `createFigmaHost`, and the tests run the same controller on their own fake of it.
 */
export interface HostImage {
  readonly hash: string;
  getBytesAsync(): Promise<Uint8Array>;
  getSizeAsync(): Promise<{ width: number; height: number }>;
}

export interface HostParent {
  readonly children: readonly HostNode[];
  insertChild(index: number, child: HostNode): void;
}

export interface HostNode {
  readonly id: string;
  readonly type: string;
  readonly removed: boolean;
  name: string;
  x: number;
  y: number;
  readonly width: number;
  readonly height: number;
  visible: boolean;
  readonly parent: HostParent | null;
  /** Absent on nodes without fills (groups); a symbol (`figma.mixed`) where they vary. */
  fills?: ReadonlyArray<Paint> | symbol;
  exportAsync(settings: ExportSettingsImage): Promise<Uint8Array>;
  setRelaunchData(data: { [command: string]: string }): void;
  /** Figma keeps only strings here, per plugin and node. */
  setPluginData(key: string, value: string): void;
  getPluginData(key: string): string;
}

/** What Figma hands the `run` event: the command, and the quick-actions bar's values where it has parameters. */
export interface RunRequest {
  readonly command: string;
  readonly parameters?: Readonly<Record<string, unknown>>;
}

/** One keystroke in a quick-actions parameter: answer with suggestions (a name, and the value it stands for). */
export interface ParameterInput {
  readonly key: string;
  readonly query: string;
  setSuggestions(suggestions: Array<string | { name: string; data?: unknown }>): void;
}

export interface HostRectangle extends HostNode {
  fills: ReadonlyArray<Paint>;
  resize(width: number, height: number): void;
}

export interface FigmaHost {
  selection(): readonly HostNode[];
  /** Selects the node and scrolls it into view. */
  reveal(node: HostNode): void;
  getNodeByIdAsync(id: string): Promise<HostNode | null>;
  getImageByHash(hash: string): HostImage | null;
  createImage(bytes: Uint8Array): { readonly hash: string };
  createRectangle(): HostRectangle;
  group(nodes: readonly HostNode[], parent: HostParent, index?: number): HostNode;
  commitUndo(): void;
  notify(message: string, options?: { error?: boolean }): void;
  openExternal(url: string): void;
  readonly clientStorage: {
    getAsync(key: string): Promise<unknown>;
    setAsync(key: string, value: unknown): Promise<void>;
    deleteAsync(key: string): Promise<void>;
  };
  showUI(html: string, options: ShowUIOptions): void;
  postToUi(message: unknown): void;
  onUiMessage(handler: (message: unknown) => void): void;
  onSelectionChange(handler: () => void): void;
  onRun(handler: (request: RunRequest) => void): void;
  onParameterInput(handler: (input: ParameterInput) => void): void;
  closePlugin(message?: string): void;
}

/** A scene node has a position and can be exported; documents and pages are not scene nodes. */
const isHostNode = (node: BaseNode | null): node is BaseNode & HostNode =>
  node !== null && 'exportAsync' in node && 'x' in node && 'visible' in node && 'parent' in node;

/** The real `figma` as a `FigmaHost`. The casts from Figma's wider node types live here only. */
export function createFigmaHost(api: PluginAPI): FigmaHost {
  return {
    selection: () => api.currentPage.selection as unknown as readonly HostNode[],
    reveal(node) {
      const scene = node as unknown as SceneNode;
      api.currentPage.selection = [scene];
      api.viewport.scrollAndZoomIntoView([scene]);
    },
    async getNodeByIdAsync(id) {
      const node = await api.getNodeByIdAsync(id);
      return isHostNode(node) ? node : null;
    },
    getImageByHash: (hash) => api.getImageByHash(hash),
    createImage: (bytes) => api.createImage(bytes),
    createRectangle: () => api.createRectangle() as unknown as HostRectangle,
    group: (nodes, parent, index) =>
      api.group(
        nodes as unknown as readonly SceneNode[],
        parent as unknown as BaseNode & ChildrenMixin,
        index,
      ) as unknown as HostNode,
    commitUndo: () => api.commitUndo(),
    notify: (message, options) => {
      api.notify(message, options);
    },
    openExternal: (url) => api.openExternal(url),
    clientStorage: api.clientStorage,
    showUI: (html, options) => api.showUI(html, options),
    postToUi: (message) => api.ui.postMessage(message),
    onUiMessage: (handler) => {
      api.ui.onmessage = (message) => handler(message);
    },
    onSelectionChange: (handler) => api.on('selectionchange', handler),
    onRun: (handler) => api.on('run', (event) => handler(event)),
    onParameterInput: (handler) =>
      api.parameters.on('input', ({ key, query, result }) =>
        handler({ key, query, setSuggestions: (suggestions) => result.setSuggestions(suggestions) }),
      ),
    closePlugin: (message) => api.closePlugin(message),
  };
}
