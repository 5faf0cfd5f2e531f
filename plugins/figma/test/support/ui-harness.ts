import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, type Frame, type Page } from 'playwright-core';

/**
 * The built ui.html in headless Chromium, inside a harness page that plays Figma: the UI runs in a sandboxed
 * iframe (origin `null`, as in Figma) and talks to its parent with `{ pluginMessage }` posts. The test is the
 * main thread: it receives the UI's messages and sends it the same messages the main thread sends.
 * Bytes cross the Node ↔ page boundary as base64 and are `Uint8Array`s again on both sides.
 */
const harnessHtml = `<!doctype html><html><body style="margin:0">
<iframe id="plugin" sandbox="allow-scripts allow-downloads allow-popups" style="width:360px;height:700px;border:0"></iframe>
<script>
const frame = document.getElementById('plugin');
const encode = (value) => {
  if (value instanceof Uint8Array) {
    let text = '';
    for (let i = 0; i < value.length; i += 1) text += String.fromCharCode(value[i]);
    return { __bytes: btoa(text) };
  }
  if (Array.isArray(value)) return value.map(encode);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encode(v)]));
  return value;
};
const decode = (value) => {
  if (value && typeof value === 'object' && typeof value.__bytes === 'string') {
    return Uint8Array.from(atob(value.__bytes), (c) => c.charCodeAt(0));
  }
  if (Array.isArray(value)) return value.map(decode);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v)]));
  return value;
};
window.addEventListener('message', (event) => {
  if (event.source !== frame.contentWindow || !event.data || !('pluginMessage' in event.data)) return;
  window.toNode(encode(event.data.pluginMessage));
});
window.toPlugin = (message) => frame.contentWindow.postMessage({ pluginMessage: decode(message) }, '*');
fetch('/ui.html').then((res) => res.text()).then((html) => { frame.srcdoc = html; });
</script></body></html>`;

const encodeForPage = (value: unknown): unknown => {
  if (value instanceof Uint8Array) return { __bytes: Buffer.from(value).toString('base64') };
  if (Array.isArray(value)) return value.map(encodeForPage);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, encodeForPage(inner)]));
  }
  return value;
};

const decodeFromPage = (value: unknown): unknown => {
  if (value && typeof value === 'object' && '__bytes' in value && typeof value.__bytes === 'string') {
    return new Uint8Array(Buffer.from(value.__bytes, 'base64'));
  }
  if (Array.isArray(value)) return value.map(decodeFromPage);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, decodeFromPage(inner)]));
  }
  return value;
};

export interface PluginUi {
  readonly page: Page;
  /** The plugin's iframe, for clicks and reads. */
  frame(): Frame;
  /** Every message the UI posted to the main thread, in order. */
  readonly fromUi: unknown[];
  /** Posts a message to the UI as Figma's main thread would. */
  send(message: unknown): Promise<void>;
  close(): Promise<void>;
}

let browser: Browser | undefined;

export async function openPluginUi(
  uiHtml: string,
  onMessage: (message: unknown, ui: PluginUi) => void | Promise<void> = () => undefined,
): Promise<PluginUi> {
  const server = createServer((req, res) => {
    if (req.url === '/ui.html') res.writeHead(200, { 'content-type': 'text/html' }).end(uiHtml);
    else res.writeHead(200, { 'content-type': 'text/html' }).end(harnessHtml);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  browser ??= await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const fromUi: unknown[] = [];
  const ui: PluginUi = {
    page,
    frame() {
      const frame = page.frames().find((candidate) => candidate !== page.mainFrame());
      if (!frame) throw new Error('the plugin iframe is not loaded');
      return frame;
    },
    fromUi,
    send: async (message) => {
      await page.evaluate(
        (encoded) => (globalThis as unknown as { toPlugin(m: unknown): void }).toPlugin(encoded),
        encodeForPage(message),
      );
    },
    async close() {
      await context.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  await page.exposeFunction('toNode', async (encoded: unknown) => {
    const message = decodeFromPage(encoded);
    fromUi.push(message);
    await onMessage(message, ui);
  });
  await page.goto(`http://127.0.0.1:${port}/`);
  return ui;
}

export async function closeBrowser() {
  await browser?.close();
  browser = undefined;
}
