import { defaultPanelSettings, Job, PanelSettings, parseToMain, type ToUi } from '../lib/messages.ts';
import { applyResult } from './apply-result.ts';
import { describeSelection } from './describe-selection.ts';
import type { FigmaHost, ParameterInput, RunRequest } from './figma-host.ts';
import { jobOfCommand, lastJobKey, scaleSuggestions, suggestPrompts } from './job-of-command.ts';
import { readInput } from './read-input.ts';

export const tokenStorageKey = 'lumina.token';
export const settingsStorageKey = 'lumina.settings';

export const uiSize = { width: 320, height: 560 } as const;

/** Said when a quick action finds nothing to work on. */
export const selectFirst = 'Select an image layer first';

/**
 * The main thread: answers the UI's messages (each parsed with the shared contract) with the document work
 * only it can do, and tells the UI about the selection. Network calls happen in the UI, which a quick action
 * runs hidden: it reports with `figma.notify` and closes the plugin.
 */
export function createMainController(host: FigmaHost, html: string) {
  const post = (message: ToUi) => host.postToUi(message);
  let quickJob: Job | null = null;
  const finish = (message: string) => {
    host.notify(message, { error: true });
    host.closePlugin();
  };

  const handle = async (raw: unknown): Promise<void> => {
    const message = parseToMain(raw);
    if (!message) return;
    switch (message.type) {
      case 'ui-ready': {
        const stored = await host.clientStorage.getAsync(tokenStorageKey);
        const settings = PanelSettings.safeParse(await host.clientStorage.getAsync(settingsStorageKey));
        post({
          type: 'init',
          token: typeof stored === 'string' && stored.length > 0 ? stored : null,
          quickJob,
          settings: settings.success ? settings.data : defaultPanelSettings,
          selection: await describeSelection(host),
        });
        return;
      }
      case 'save-token':
        if (message.token === null) await host.clientStorage.deleteAsync(tokenStorageKey);
        else await host.clientStorage.setAsync(tokenStorageKey, message.token);
        return;
      case 'save-settings':
        await host.clientStorage.setAsync(settingsStorageKey, message.settings);
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
      case 'select-node': {
        const node = await host.getNodeByIdAsync(message.nodeId);
        if (node && !node.removed) host.reveal(node);
        return;
      }
      case 'close':
        host.closePlugin();
        return;
    }
  };

  const run = async ({ command, parameters }: RunRequest): Promise<void> => {
    if (command === 'open' || command === '') {
      host.showUI(html, { ...uiSize, themeColors: true, title: 'Lumina' });
      return;
    }
    const selection = await describeSelection(host);
    if (selection.length === 0) {
      finish(selectFirst);
      return;
    }
    const job = command === 'repeat' ? lastJobOfSelection() : jobOfCommand(command, parameters);
    if (!job) {
      finish('Open Lumina to choose an edit for this layer');
      return;
    }
    quickJob = job;
    // The panel stays hidden: the UI iframe does the network work, then notifies and closes.
    host.showUI(html, { ...uiSize, visible: false, themeColors: true, title: 'Lumina' });
  };

  /** The options a layer was last processed with, as its relaunch button repeats them. */
  const lastJobOfSelection = (): Job | null => {
    for (const node of host.selection()) {
      const stored = node.getPluginData(lastJobKey);
      if (!stored) continue;
      try {
        const parsed = Job.safeParse(JSON.parse(stored));
        if (parsed.success) return parsed.data;
      } catch {
        // Written by an older version or edited by hand: not a job to repeat.
      }
    }
    return null;
  };

  const suggest = (input: ParameterInput) => {
    if (input.key === 'scale') input.setSuggestions(scaleSuggestions(input.query));
    else if (input.key === 'prompt') input.setSuggestions(suggestPrompts(input.query));
  };

  return {
    start() {
      host.onUiMessage((raw) => {
        handle(raw).catch(() => host.notify('Lumina could not finish that step. Try again.', { error: true }));
      });
      host.onSelectionChange(() => {
        describeSelection(host)
          .then((items) => post({ type: 'selection', items }))
          .catch(() => undefined);
      });
      host.onParameterInput(suggest);
      host.onRun((request) => {
        run(request).catch(() => finish('Lumina could not start. Try again.'));
      });
    },
    /** Exposed for tests that drive the controller without a UI. */
    handle,
  };
}
