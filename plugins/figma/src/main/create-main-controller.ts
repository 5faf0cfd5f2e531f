import { parseToMain, QuickAction, type ToUi } from '../lib/messages.ts';
import { applyResult } from './apply-result.ts';
import { describeSelection } from './describe-selection.ts';
import type { FigmaHost } from './figma-host.ts';
import { readInput } from './read-input.ts';

export const tokenStorageKey = 'lumina.token';

export const uiSize = { width: 360, height: 560 } as const;

/**
 * The main thread: answers the UI's messages (each parsed with the shared contract) with the document work
 * only it can do, and tells the UI about the selection. Network calls happen in the UI.
 */
export function createMainController(host: FigmaHost, html: string) {
  const post = (message: ToUi) => host.postToUi(message);
  const quickAction = QuickAction.safeParse(host.command);

  const handle = async (raw: unknown): Promise<void> => {
    const message = parseToMain(raw);
    if (!message) return;
    switch (message.type) {
      case 'ui-ready': {
        const stored = await host.clientStorage.getAsync(tokenStorageKey);
        post({
          type: 'init',
          token: typeof stored === 'string' && stored.length > 0 ? stored : null,
          quickAction: quickAction.success ? quickAction.data : null,
          selection: await describeSelection(host),
        });
        return;
      }
      case 'save-token':
        if (message.token === null) await host.clientStorage.deleteAsync(tokenStorageKey);
        else await host.clientStorage.setAsync(tokenStorageKey, message.token);
        return;
      case 'open-external':
        host.openExternal(message.url);
        return;
      case 'notify':
        host.notify(message.message, { error: message.error ?? false });
        return;
      case 'read-input':
        post(await readInput(host, message));
        return;
      case 'apply-result':
        post(await applyResult(host, message));
        return;
      case 'close':
        host.closePlugin();
        return;
    }
  };

  return {
    start() {
      host.showUI(html, { ...uiSize, themeColors: true, title: 'Lumina' });
      host.onUiMessage((raw) => {
        handle(raw).catch((error: unknown) => host.notify(`Lumina: ${String(error)}`, { error: true }));
      });
      host.onSelectionChange(() => {
        describeSelection(host)
          .then((items) => post({ type: 'selection', items }))
          .catch(() => undefined);
      });
    },
    /** Exposed for tests that drive the controller without a UI. */
    handle,
  };
}
