import { parseToUi, type ToMain, type ToUi } from '../lib/messages.ts';

/** Figma wraps plugin messages as `{ pluginMessage }` both ways; everything received is parsed first. */
export const postToMain = (message: ToMain): void => {
  parent.postMessage({ pluginMessage: message }, '*');
};

export function onMainMessage(handler: (message: ToUi) => void): () => void {
  const listener = (event: MessageEvent) => {
    const data: unknown = event.data;
    const raw = typeof data === 'object' && data !== null && 'pluginMessage' in data ? data.pluginMessage : undefined;
    const message = parseToUi(raw);
    if (message) handler(message);
  };
  window.addEventListener('message', listener);
  return () => window.removeEventListener('message', listener);
}
