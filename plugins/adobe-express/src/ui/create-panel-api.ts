import { type LuminaPanelApi, SelectionSnapshot } from '../lib/sandbox-contract.ts';

export type SelectionListener = (snapshot: SelectionSnapshot) => void;

/**
 * The API the panel exposes to the document sandbox (`runtime.exposeApi`), and the subscription the panel's
 * own code uses. A push is parsed on receipt, as the sandbox parses the panel's calls; a malformed one throws
 * back to the sandbox and reaches no listener.
 */
export function createPanelApi() {
  const listeners = new Set<SelectionListener>();
  const api: LuminaPanelApi = {
    selectionChanged(raw: unknown): void {
      const snapshot = SelectionSnapshot.parse(raw);
      for (const listener of listeners) listener(snapshot);
    },
  };
  return {
    api,
    /** Calls `listener` with each selection the sandbox pushes; answers the function that stops it. */
    onSelectionChange(listener: SelectionListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
