import addOnSandboxSdk, { type RuntimeType } from 'add-on-sdk-document-sandbox';
import { editor } from 'express-document-sdk';
import type { LuminaPanelApi } from '../lib/sandbox-contract.ts';
import { createLuminaSandbox } from './create-lumina-sandbox.ts';
import { pushSelectionChanges } from './push-selection-changes.ts';

// The SDK types runtimes as an enum; its values are these strings.
const panelRuntime = 'panel' as RuntimeType.panel;

// The document sandbox's entry (manifest `documentSandbox`): Express provides both SDK modules at run time.
const { runtime } = addOnSandboxSdk.instance;
const sandbox = createLuminaSandbox(editor, { experimentalApis: __LUMINA_EXPERIMENTAL_APIS__ });
runtime.exposeApi(sandbox);
// The panel exposes `selectionChanged`; the sandbox calls it on each selection change instead of being polled.
void runtime.apiProxy<LuminaPanelApi>(panelRuntime).then(
  (panel) => pushSelectionChanges(editor, () => sandbox.readSelection(), panel),
  // Without a panel there is no one to tell; the panel reads the selection itself when it opens.
  () => undefined,
);
