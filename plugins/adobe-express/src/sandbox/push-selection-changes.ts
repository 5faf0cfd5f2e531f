import type { SelectionSnapshot } from '../lib/sandbox-contract.ts';
import type { EditorSurface } from './document-surface.ts';

/** The panel as the sandbox reaches it through `runtime.apiProxy('panel')`: every call crosses to the iframe. */
export interface PanelClient {
  selectionChanged(snapshot: SelectionSnapshot): Promise<unknown>;
}

/**
 * Sends the panel the new selection on every `selectionChange`, read while the handler runs (the content is
 * only guaranteed then). A push the panel cannot take yet is dropped: the panel reads the selection itself when
 * it starts. Answers the function that unregisters the handler.
 */
export function pushSelectionChanges(
  editor: EditorSurface,
  readSelection: () => SelectionSnapshot,
  panel: PanelClient,
): () => void {
  const handlerId = editor.context.on('selectionChange', () => {
    panel.selectionChanged(readSelection()).catch(() => undefined);
  });
  return () => editor.context.off('selectionChange', handlerId);
}
