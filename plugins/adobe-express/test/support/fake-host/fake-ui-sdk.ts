// A fake of Express's add-on UI SDK (`https://new.express.adobe.com/static/add-on-sdk/sdk.js`), bundled by the
// tests and served at that URL to the built panel in Chromium. Its document sandbox is Lumina's real adapter over
// the project's fake document, wired as code.ts wires it; calls cross a structured-clone boundary, in both
// directions, as they would between runtimes.
import type { LuminaPanelApi, SelectionSnapshot } from '../../../src/lib/sandbox-contract.ts';
import { createLuminaSandbox } from '../../../src/sandbox/create-lumina-sandbox.ts';
import { pushSelectionChanges } from '../../../src/sandbox/push-selection-changes.ts';
import {
  FakeBitmap,
  FakeContainerNode,
  FakeEditor,
  FakeMediaContainer,
  FakeNode,
} from '../../fake-express-document.ts';
import { ExperimentalApiError, strictSdkObject } from '../experimental-rules.ts';
import type { FakeHostConfig, FakeNodeSpec } from './fake-host-config.ts';

declare global {
  interface Window {
    __fakeExpressConfig: FakeHostConfig;
    fakeExpress: typeof controls;
  }
}

const config = window.__fakeExpressConfig;
const decode = (base64: string) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
const encode = async (blob: Blob) => {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
};

const editor = new FakeEditor(config.experimental, config.page);
const nodesByName = new Map<string, FakeNode>();
for (const spec of config.nodes) {
  const node = build(spec);
  editor.add(node);
  nodesByName.set(spec.name, node);
  if (spec.luminaTaskId) editor.doc.setup(() => node.addOnData.setItem('lumina.taskId', spec.luminaTaskId ?? ''));
}
editor.selected = config.nodes.filter((spec) => spec.selected).flatMap((spec) => nodesByName.get(spec.name) ?? []);

function build(spec: FakeNodeSpec): FakeNode {
  const size = { width: spec.width, height: spec.height };
  const at = { x: spec.x, y: spec.y };
  if (spec.kind === 'image') {
    return new FakeMediaContainer(
      editor.doc,
      { bitmap: new FakeBitmap(spec.width, spec.height, new Uint8Array(), config.experimental) },
      size,
      at,
    );
  }
  if (spec.kind === 'group') return new FakeContainerNode(editor.doc, 'Group', size, at);
  return new FakeNode(editor.doc, spec.kind === 'text' ? 'Text' : 'Rectangle', size, at);
}

/** Crossing between runtimes copies values (structured clone); nothing is shared by reference. */
const across = <T>(value: T): T => structuredClone(value);

/** What the panel exposed with `runtime.exposeApi` (the SDK takes the first call only). */
let panelApi: LuminaPanelApi | undefined;
let selectionReads = 0;
let selectionPushes = 0;

const sandbox = createLuminaSandbox(editor);
// The sandbox's `apiProxy('panel')`: a call is delivered later, as a message would be, and fails while the panel
// has exposed nothing yet.
const panelProxy = {
  async selectionChanged(snapshot: SelectionSnapshot) {
    const sent = across(snapshot);
    await Promise.resolve();
    if (!panelApi) throw new Error('the panel has exposed no API yet');
    selectionPushes += 1;
    panelApi.selectionChanged(sent);
  },
};
pushSelectionChanges(editor, () => sandbox.readSelection(), panelProxy);
const storage = new Map<string, unknown>(Object.entries(config.storage));
const added: Array<{ blob: Blob; title: string; nodeAddOnData: Record<string, string> }> = [];
const drags: Array<{
  element: HTMLElement;
  completion: (
    element: HTMLElement,
  ) => Promise<
    Array<{ blob: Blob; attributes?: { title: string }; importAddOnData?: { nodeAddOnData?: Record<string, string> } }>
  >;
}> = [];
const themeListeners: Array<(event: { theme: string }) => void> = [];
let theme = config.theme;
let renditions = 0;
let upgrades = 0;

/** What the tests read and drive through `window.fakeExpress`. */
const controls = {
  async documentState() {
    return Promise.all(
      editor.artboard.children.items.map(async (node) => ({
        id: node.id,
        name: [...nodesByName].find(([, n]) => n === node)?.[0] ?? null,
        type: node.type,
        bounds: node.boundsInParent,
        luminaTaskId: node.addOnData.getItem('lumina.taskId') ?? null,
        bitmap:
          node instanceof FakeMediaContainer && node.bitmap
            ? {
                width: node.bitmap.width,
                height: node.bitmap.height,
                base64: await encode(new Blob([node.bitmap.bytes.slice()])),
              }
            : null,
      })),
    );
  },
  async added() {
    return Promise.all(
      added.map(async (entry) => ({
        title: entry.title,
        nodeAddOnData: entry.nodeAddOnData,
        base64: await encode(entry.blob),
      })),
    );
  },
  storage: () => Object.fromEntries(storage),
  renditions: () => renditions,
  /** How often the panel asked the sandbox for the selection, and how often the sandbox told the panel. */
  selectionTraffic: () => ({ reads: selectionReads, pushes: selectionPushes }),
  upgrades: () => upgrades,
  /** Drops the latest draggable result onto the page, as the user's drag gesture would. */
  async completeDrag() {
    const drag = drags.at(-1);
    if (!drag) throw new Error('no element was made draggable');
    for (const item of await drag.completion(drag.element)) {
      added.push({
        blob: item.blob,
        title: item.attributes?.title ?? '',
        nodeAddOnData: item.importAddOnData?.nodeAddOnData ?? {},
      });
    }
    return drags.length;
  },
  /** Windows the panel tried to open outside a click, which Safari blocks. */
  popupsBlocked: () => [...popupsBlocked],
  /** Deletes an element, as the user would while a task runs. */
  remove(name: string) {
    const node = nodesByName.get(name);
    if (!node) throw new Error(`no node ${name}`);
    const list = editor.artboard.children.items;
    editor.doc.setup(() => list.splice(list.indexOf(node), 1));
    node.parentNode = undefined;
    if (editor.selected.includes(node)) editor.select(...editor.selected.filter((other) => other !== node));
  },
  /** Changes the selection as the user would: Express fires `selectionChange` in the sandbox. */
  select(names: string[]) {
    editor.select(...names.flatMap((name) => nodesByName.get(name) ?? []));
  },
  /**
   * Touches each given member on the fake UI SDK object of its class; answers those that did not throw as
   * experimental, and those whose class the fake does not stand in for.
   */
  refusedExperimental(entries: Array<{ owner: string; member: string }>) {
    const objects: Record<string, object> = {
      Application: addOnUISdk.app,
      CurrentUser: addOnUISdk.app.currentUser,
      Document_2: addOnUISdk.app.document,
    };
    const allowed: string[] = [];
    const uncovered: string[] = [];
    for (const { owner, member } of entries) {
      const object = objects[owner];
      if (!object) {
        uncovered.push(`${owner}.${member}`);
        continue;
      }
      try {
        Reflect.get(object, member);
        allowed.push(`${owner}.${member}`);
      } catch (error) {
        if (!(error instanceof ExperimentalApiError)) allowed.push(`${owner}.${member} (${String(error)})`);
      }
    }
    return { allowed, uncovered };
  },
  setTheme(next: string) {
    theme = next;
    for (const listener of themeListeners) listener({ theme: next });
  },
};
window.fakeExpress = controls;

// Safari opens a window only while the click that asked for it is being handled: one opened after an await
// is blocked (window.open answers null). Express panels run in Safari too, so the fake host holds the panel to it.
let inClick = false;
const popupsBlocked: string[] = [];
window.addEventListener(
  'click',
  () => {
    inClick = true;
    setTimeout(() => {
      inClick = false;
    }, 0);
  },
  true,
);
const browserOpen = window.open.bind(window);
window.open = (url?: string | URL, target?: string, features?: string) => {
  if (!inClick) {
    popupsBlocked.push(String(url ?? ''));
    return null;
  }
  return browserOpen(url, target, features);
};

const strict = <T extends object>(object: T, sdkType: string): T =>
  strictSdkObject(object, () => sdkType, config.experimental);

const addOnUISdk = {
  apiVersion: 'fake',
  ready: Promise.resolve(),
  constants: {
    RuntimeType: { panel: 'panel', documentSandbox: 'documentSandbox', dialog: 'dialog' },
    Range: { currentPage: 'currentPage', entireDocument: 'entireDocument', specificPages: 'specificPages' },
    RenditionFormat: { png: 'image/png', jpg: 'image/jpeg' },
    RenditionIntent: { preview: 'preview', export: 'export', print: 'print' },
  },
  instance: {
    manifest: {},
    entrypointType: 'panel',
    clientStorage: {
      getItem: async (key: string) => across(storage.get(key)),
      setItem: async (key: string, value: unknown) => void storage.set(key, across(value)),
      removeItem: async (key: string) => void storage.delete(key),
      keys: async () => [...storage.keys()],
      clear: async () => storage.clear(),
    },
    runtime: {
      type: 'panel',
      exposeApi(api: LuminaPanelApi) {
        panelApi ??= api;
      },
      async apiProxy(runtimeType: string) {
        if (runtimeType !== 'documentSandbox') throw new Error(`no runtime ${runtimeType}`);
        return {
          readSelection: async (...args: unknown[]) => {
            selectionReads += 1;
            return across(sandbox.readSelection(...args.map(across)));
          },
          placeResult: async (args: unknown) => across(await sandbox.placeResult(across(args))),
          readMedia: async (args: unknown) => across(await sandbox.readMedia(across(args))),
          selectNode: async (args: unknown) => across(sandbox.selectNode(across(args))),
        };
      },
    },
  },
  app: strict(
    {
      ui: {
        get theme() {
          return theme;
        },
        locale: 'en-US',
      },
      on(name: string, handler: (event: { theme: string }) => void) {
        if (name === 'themechange') themeListeners.push(handler);
      },
      off() {},
      currentUser: strict({ isPremiumUser: async () => config.premiumUser }, 'CurrentUser'),
      async startPremiumUpgradeIfFreeUser() {
        upgrades += 1;
        return config.premiumUser;
      },
      enableDragToDocument(
        element: HTMLElement,
        callbacks: { completionCallback: (typeof drags)[number]['completion'] },
      ) {
        drags.push({ element, completion: callbacks.completionCallback });
        return () => {
          const index = drags.findIndex((drag) => drag.element === element);
          if (index >= 0) drags.splice(index, 1);
        };
      },
      document: strict(
        {
          exportAllowed: async () => config.exportAllowed,
          async getPagesMetadata(options: { range: string }) {
            if (options.range !== 'currentPage')
              throw new Error(`unexpected metadata request ${JSON.stringify(options)}`);
            return [
              { id: 'page-1', title: 'Page 1', size: config.page, hasPremiumContent: config.pageHasPremiumContent },
            ];
          },
          async createRenditions(options: { range: string; format: string }, intent?: string) {
            // Pixels that leave Express belong to the `export` intent; `preview` is for showing them in the panel.
            if (options.range !== 'currentPage' || options.format !== 'image/png' || intent !== 'export') {
              throw new Error(`unexpected rendition request ${JSON.stringify({ options, intent })}`);
            }
            renditions += 1;
            return [
              {
                type: 'page',
                title: 'Page 1',
                blob: new Blob([decode(config.pagePngBase64)], { type: 'image/png' }),
                metadata: {
                  id: 'page-1',
                  title: 'Page 1',
                  size: config.page,
                  hasPremiumContent: config.pageHasPremiumContent,
                },
              },
            ];
          },
          async addImage(
            blob: Blob,
            attributes?: { title: string },
            importAddOnData?: { nodeAddOnData?: Record<string, string> },
          ) {
            added.push({ blob, title: attributes?.title ?? '', nodeAddOnData: importAddOnData?.nodeAddOnData ?? {} });
          },
        },
        'Document_2',
      ),
    },
    'Application',
  ),
};

export default addOnUISdk;
