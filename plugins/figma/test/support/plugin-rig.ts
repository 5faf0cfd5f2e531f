import { parseToUi, type ToUi } from '../../src/lib/messages.ts';
import { createMainController } from '../../src/main/create-main-controller.ts';
import { createFigmaHost } from '../../src/main/figma-host.ts';
import type { PluginAPI } from '../../src/main/figma-types.ts';
import { createMainLink } from '../../src/ui/main-link.ts';
import { FakeFigma } from './fake-figma.ts';

/** The manifest's relaunch commands (scripts/build.mjs), which alone may carry relaunch data. */
export const relaunchCommands = ['open', 'repeat'];

/**
 * The plugin's main thread (the real controller behind the real adapter) on the fake Figma's strict view, with
 * the UI's side of the per-item requests wired to it the way Figma's postMessage would: each message parsed on
 * receipt. `command` (and its quick-action `parameters`) is run as Figma runs the plugin.
 */
export function startPluginRig(command = 'open', parameters?: Record<string, unknown>) {
  const figma = new FakeFigma('', relaunchCommands);
  // The one cast of the fake to Figma's full API type: the adapter reads only the parts the fake has.
  const controller = createMainController(createFigmaHost(figma.api as unknown as PluginAPI), '<html></html>');
  const received: ToUi[] = [];
  const link = createMainLink((message) => figma.fromUi(message));
  figma.uiListener = (raw) => {
    const message = parseToUi(raw);
    if (!message) throw new Error(`the main thread sent a message outside the contract: ${JSON.stringify(raw)}`);
    received.push(message);
    link.receive(message);
  };
  controller.start();
  const run = (next: string, values?: Record<string, unknown>) => figma.run(next, values);
  if (command) run(command, parameters);
  return { figma, controller, link, received, run };
}
