import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Frame, type Page } from 'playwright-core';

/**
 * The built ui.html in headless Chromium, inside a harness page that plays Figma: the UI runs in a sandboxed
 * iframe (origin `null`, as in Figma) and talks to its parent with `{ pluginMessage }` posts. The test is the
 * main thread: it receives the UI's messages and sends it the same messages the main thread sends.
 * Bytes cross the Node ↔ page boundary as base64 and are `Uint8Array`s again on both sides.
 */
const harnessHtml = `<!doctype html><html><body style="margin:0">
<iframe id="plugin" sandbox="allow-scripts allow-downloads allow-popups" style="width:320px;height:640px;border:0"></iframe>
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

/** The UI kit's copy of Figma's colour tokens, per theme, as Figma injects them with `themeColors: true`. */
function themeTokens(theme: 'light' | 'dark'): string {
  const css = readFileSync(createRequire(import.meta.url).resolve('@create-figma-plugin/ui/css/theme.css'), 'utf8');
  const start = css.indexOf(`.figma-${theme} {`);
  const block = css.slice(css.indexOf('{', start) + 1, css.indexOf('}', start));
  if (start < 0 || !block.includes('--figma-color-bg')) throw new Error(`no ${theme} tokens in the UI kit's theme.css`);
  return block;
}

/** Does what Figma does for a plugin UI with `themeColors: true`: the theme's class and tokens on the root. */
export async function setFigmaTheme(ui: PluginUi, theme: 'light' | 'dark') {
  const tokens = themeTokens(theme);
  const frame = await waitForFrame(ui);
  await frame.evaluate(`(() => {
    const root = document.documentElement;
    root.classList.remove('figma-light', 'figma-dark');
    root.classList.add(${JSON.stringify(`figma-${theme}`)});
    root.setAttribute('style', ${JSON.stringify(tokens)});
  })()`);
}

/** The plugin's iframe once its own document (not the first about:blank) has loaded. */
async function waitForFrame(ui: PluginUi) {
  for (;;) {
    const frame = ui.page.frames().find((candidate) => candidate !== ui.page.mainFrame());
    const loaded = await frame?.waitForSelector('#app', { state: 'attached', timeout: 2_000 }).catch(() => null);
    if (frame && loaded) return frame;
  }
}

const screenshotsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../screenshots');

/** The panel as the designer sees it, for the README: `plugins/figma/screenshots/<name>.png`. */
export async function saveScreenshot(ui: PluginUi, name: string) {
  mkdirSync(screenshotsDir, { recursive: true });
  await ui.page.locator('#plugin').screenshot({ path: join(screenshotsDir, `${name}.png`) });
}
