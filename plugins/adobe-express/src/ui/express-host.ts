import type { AddOnSDKAPI, AppEvent } from 'https://new.express.adobe.com/static/add-on-sdk/sdk.js';
import {
  type LuminaSandboxApi,
  PlaceOutcome,
  type PlaceResultArgs,
  type ReadMediaArgs,
  ReadMediaOutcome,
  SelectionSnapshot,
  type SelectNodeArgs,
  SelectNodeOutcome,
} from '../lib/sandbox-contract.ts';
import { createPanelApi, type SelectionListener } from './create-panel-api.ts';

export type Theme = 'light' | 'dark';

/** The document sandbox as the panel reaches it; answers and pushes are parsed here as arguments are there. */
export interface SandboxClient {
  readSelection(): Promise<SelectionSnapshot>;
  /** Each selection the sandbox pushes on `selectionChange`; answers the function that stops listening. */
  onSelectionChange(listener: SelectionListener): () => void;
  placeResult(args: PlaceResultArgs): Promise<PlaceOutcome>;
  readMedia(args: ReadMediaArgs): Promise<ReadMediaOutcome>;
  selectNode(args: SelectNodeArgs): Promise<SelectNodeOutcome>;
}

export interface PageRendition {
  readonly blob: Blob;
  readonly hasPremiumContent: boolean;
}

export interface DragItem {
  readonly blob: Blob;
  readonly title: string;
  readonly taskId: string;
}

/** Everything the panel asks of Adobe Express, in one place over `addOnUISdk`. */
export interface PanelHost {
  theme(): Theme;
  onThemeChange(listener: (theme: Theme) => void): void;
  readonly storage: {
    get(key: string): Promise<unknown>;
    set(key: string, value: string): Promise<void>;
    remove(key: string): Promise<void>;
  };
  sandbox(): Promise<SandboxClient>;
  renderCurrentPage(): Promise<PageRendition>;
  exportAllowed(): Promise<boolean>;
  /** Whether the current page holds premium content, from its metadata (no rendition needed). */
  pageHasPremiumContent(): Promise<boolean>;
  isPremiumUser(): Promise<boolean>;
  startPremiumUpgrade(): Promise<boolean>;
  addImage(item: DragItem): Promise<void>;
  enableDragToDocument(element: HTMLElement, item: () => DragItem | null): () => void;
}

export const taskIdImportKey = 'lumina.taskId';

// The SDK types its events as an enum; its values are these strings.
const themeChange = 'themechange' as AppEvent.themechange;

const themeOf = (value: string): Theme => (value === 'dark' || value === 'darkest' ? 'dark' : 'light');

export function expressHost(sdk: AddOnSDKAPI): PanelHost {
  const { app, instance, constants } = sdk;
  let sandbox: Promise<SandboxClient> | undefined;
  const panelApi = createPanelApi();

  const importData = (item: DragItem) => ({ nodeAddOnData: { [taskIdImportKey]: item.taskId } });

  return {
    theme: () => themeOf(app.ui.theme),
    onThemeChange: (listener) => app.on(themeChange, (event) => listener(themeOf(event.theme))),
    storage: {
      get: (key) => instance.clientStorage.getItem(key),
      set: (key, value) => instance.clientStorage.setItem(key, value),
      remove: (key) => instance.clientStorage.removeItem(key),
    },
    sandbox() {
      sandbox ??= (async () => {
        const runtime = instance.runtime;
        if (!runtime.apiProxy || !runtime.exposeApi) throw new Error('this panel has no document sandbox');
        // Exposed (once, as the SDK allows) before the panel first reads the selection, so no change is missed.
        runtime.exposeApi(panelApi.api);
        const remote = await runtime.apiProxy<LuminaSandboxApi>(constants.RuntimeType.documentSandbox);
        return {
          readSelection: async () => SelectionSnapshot.parse(await remote.readSelection()),
          onSelectionChange: panelApi.onSelectionChange,
          placeResult: async (args) => PlaceOutcome.parse(await remote.placeResult(args)),
          readMedia: async (args) => ReadMediaOutcome.parse(await remote.readMedia(args)),
          selectNode: async (args) => SelectNodeOutcome.parse(await remote.selectNode(args)),
        };
      })();
      return sandbox;
    },
    async renderCurrentPage() {
      const [page] = await app.document.createRenditions(
        { range: constants.Range.currentPage, format: constants.RenditionFormat.png },
        constants.RenditionIntent.export,
      );
      if (!page) throw new Error('no rendition of the current page');
      const metadata = (page as { metadata?: { hasPremiumContent?: boolean } }).metadata;
      return { blob: page.blob, hasPremiumContent: metadata?.hasPremiumContent === true };
    },
    exportAllowed: () => app.document.exportAllowed(),
    async pageHasPremiumContent() {
      const pages = await app.document.getPagesMetadata({ range: constants.Range.currentPage });
      return pages.some((page) => page.hasPremiumContent);
    },
    isPremiumUser: () => app.currentUser.isPremiumUser(),
    startPremiumUpgrade: () => app.startPremiumUpgradeIfFreeUser(),
    addImage: (item) => app.document.addImage(item.blob, { title: item.title }, importData(item)),
    enableDragToDocument(element, item) {
      return app.enableDragToDocument(element, {
        previewCallback: (el) => new URL((el as HTMLImageElement).src),
        completionCallback: async () => {
          const current = item();
          return current
            ? [{ blob: current.blob, attributes: { title: current.title }, importAddOnData: importData(current) }]
            : [];
        },
      });
    },
  };
}
