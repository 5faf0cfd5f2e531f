import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantCredits } from '../../../backend/src/services/grant-credits.ts';
import { type GeminiStandIn, imageReply } from '../../../backend/test/support/gemini-stand-in.ts';
import { type EditingBackend, serveEditingBackend, signUpAndApprover } from '../../../e2e/support/served-backend.ts';
import { ToMain } from '../src/lib/messages.ts';
import { buildPlugin } from './support/build-plugin.ts';
import { closeBrowser, openPluginUi, type PluginUi } from './support/ui-harness.ts';

// The built ui.html in headless Chromium, driven with the messages the main thread sends, against the real
// backend over HTTP (magic edit completes through the edit worker and the Gemini stand-in).
const geminiKey = 'figma-ui-key';
let served: EditingBackend;
let gemini: GeminiStandIn;
let uiHtml: string;
const open: PluginUi[] = [];

beforeAll(async () => {
  served = await serveEditingBackend({ geminiKey, priceMagicEdit: 3 });
  gemini = served.gemini;
  uiHtml = buildPlugin(served.origin).uiHtml;
});
afterAll(async () => {
  for (const ui of open) await ui.close();
  await closeBrowser();
  await served?.close();
});

const solid = async (width: number, height: number, color = '#3366ff') =>
  new Uint8Array(
    await sharp({ create: { width, height, channels: 4, background: color } })
      .png()
      .toBuffer(),
  );

interface Selected {
  nodeId: string;
  name: string;
  widthPx: number;
  heightPx: number;
  bytes: Uint8Array;
}

/**
 * Opens the UI and answers it as the main thread would: `init` on ready, the layer's bytes on `read-input`,
 * `applied` on `apply-result`. Every message the UI sends must parse with the contract.
 */
async function openAsMain(init: { token: string | null; quickAction?: string | null; selection: Selected[] }) {
  const applied: Array<Extract<ToMain, { type: 'apply-result' }>> = [];
  const ui = await openPluginUi(uiHtml, async (raw, ui) => {
    const message = ToMain.parse(raw);
    if (message.type === 'ui-ready') {
      await ui.send({
        type: 'init',
        token: init.token,
        quickAction: init.quickAction ?? null,
        selection: init.selection.map(({ bytes: _bytes, ...item }) => ({
          ...item,
          nodeType: 'FRAME',
          hasImageFill: false,
        })),
      });
    } else if (message.type === 'read-input') {
      const node = init.selection.find((item) => item.nodeId === message.nodeId);
      if (!node) throw new Error(`unknown node ${message.nodeId}`);
      await ui.send({
        type: 'input',
        itemId: message.itemId,
        bytes: node.bytes,
        widthPx: node.widthPx,
        heightPx: node.heightPx,
        source: 'export',
      });
    } else if (message.type === 'apply-result') {
      applied.push(message);
      await ui.send({ type: 'applied', itemId: message.itemId, nodeId: `${message.nodeId}-result` });
    }
  });
  open.push(ui);
  return { ui, applied, frame: () => ui.frame() };
}

const layer = async (name: string, widthPx: number, heightPx: number): Promise<Selected> => ({
  nodeId: `1:${name}`,
  name,
  widthPx,
  heightPx,
  bytes: await solid(widthPx, heightPx),
});

/** A plugin session token for a fresh person's personal team, the way pairing hands it out. */
async function pluginToken(credits: number) {
  const person = await signUpAndApprover(served);
  await grantCredits({ ctx: served.t.backend.ctx, input: { teamId: person.personalTeamId, credits } });
  const start = await served.t.request('/api/v1/pairings', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client: 'figma' }),
  });
  const pairing = (await start.json()) as { userCode: string; pollSecret: string };
  await person.approve(pairing.userCode);
  const res = await served.t.request('/api/v1/pairings/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pollSecret: pairing.pollSecret }),
  });
  return { token: ((await res.json()) as { token: string }).token, teamId: person.personalTeamId };
}

describe('the plugin UI in Chromium', () => {
  it('signs in by pairing: opens the verification page, polls until approved, keeps the token, shows the balance', async () => {
    const person = await signUpAndApprover(served);
    await grantCredits({ ctx: served.t.backend.ctx, input: { teamId: person.personalTeamId, credits: 12 } });
    const { ui, frame } = await openAsMain({ token: null, selection: [] });
    await frame().getByRole('button', { name: 'Sign in with the browser' }).click();

    await expect.poll(() => ui.fromUi.find((m) => (m as { type: string }).type === 'open-external')).toBeTruthy();
    const opened = ui.fromUi.find((m) => (m as { type: string }).type === 'open-external') as { url: string };
    const userCode = (await frame().getByTestId('user-code').textContent())?.trim() ?? '';
    expect(opened.url).toContain(userCode);
    await person.approve(userCode);

    await expect
      .poll(() => ui.fromUi.find((m) => (m as { type: string }).type === 'save-token'), { timeout: 30_000 })
      .toMatchObject({ type: 'save-token', token: expect.any(String) });
    await expect.poll(() => frame().getByTestId('balance').textContent(), { timeout: 10_000 }).toBe('12 credits');
    const buy = frame().getByRole('link', { name: 'Buy credits' });
    expect(await buy.getAttribute('href')).toBe(`${served.origin}/billing`);

    await frame().getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => ui.fromUi.at(-1)).toEqual({ type: 'save-token', token: null });
    expect(await frame().getByRole('button', { name: 'Sign in with the browser' }).isVisible()).toBe(true);
  });

  it('runs a magic edit on the selection, shows the row until done, and inserts the result', async () => {
    const { token } = await pluginToken(10);
    gemini.script(imageReply(Buffer.from(await solid(64, 64, '#ff66cc'))));
    const card = await layer('Card', 80, 50);
    const { frame, applied } = await openAsMain({ token, selection: [card] });

    await frame().locator('select[name="operation"]').selectOption('magic-edit');
    await frame().locator('textarea[name="prompt"]').fill('make it pink');
    await frame()
      .getByRole('button', { name: /Magic edit · 3 credits/ })
      .click();

    await expect
      .poll(() => frame().locator('li[data-phase]').getAttribute('data-phase'), { timeout: 30_000 })
      .toBe('done');
    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatchObject({
      nodeId: card.nodeId,
      placement: 'beside',
      widthPx: 80,
      heightPx: 50,
      label: 'Magic edit',
    });
    const meta = await sharp(applied[0]?.pieces[0]?.bytes).metadata();
    expect([meta.width, meta.height]).toEqual([80, 50]);
    await expect.poll(() => frame().getByTestId('balance').textContent(), { timeout: 10_000 }).toBe('7 credits');
  });

  it('warns before sending that a result will pass 4096 px, and inserts it as tiles cut in the browser', async () => {
    const { token } = await pluginToken(10);
    gemini.script(imageReply(Buffer.from(await solid(1024, 16, '#ff66cc'))));
    const banner = await layer('Banner', 4200, 60);
    const { frame, applied } = await openAsMain({ token, selection: [banner] });
    await frame().locator('select[name="operation"]').selectOption('magic-edit');
    await frame().locator('textarea[name="prompt"]').fill('make it pink');

    await expect.poll(() => frame().getByTestId('large-warning').textContent()).toContain('over 4096 px');
    await frame().locator('select[name="large-result"]').selectOption('tiles');
    await frame()
      .getByRole('button', { name: /Magic edit/ })
      .click();

    await expect.poll(() => applied.length, { timeout: 30_000 }).toBe(1);
    const pieces = applied[0]?.pieces ?? [];
    expect(pieces.map(({ x, y, widthPx, heightPx }) => ({ x, y, widthPx, heightPx }))).toEqual([
      { x: 0, y: 0, widthPx: 4096, heightPx: 60 },
      { x: 4096, y: 0, widthPx: 104, heightPx: 60 },
    ]);
    const sizes = await Promise.all(pieces.map(async (piece) => (await sharp(piece.bytes).metadata()).width));
    expect(sizes).toEqual([4096, 104]);
  });

  it('explains a refused task in plain words', async () => {
    const { token } = await pluginToken(1);
    const { frame } = await openAsMain({ token, selection: [await layer('Poster', 40, 40)] });
    await frame().locator('select[name="operation"]').selectOption('magic-edit');
    await frame().locator('textarea[name="prompt"]').fill('add a hat');
    await frame()
      .getByRole('button', { name: /Magic edit/ })
      .click();
    await expect
      .poll(() => frame().locator('li[data-phase="error"] .status').textContent(), { timeout: 30_000 })
      .toBe('Not enough credits left on this team. Buy more credits to continue.');
  });

  it('runs a menu command at once on the selection, and follows Figma’s dark theme', async () => {
    const { token } = await pluginToken(5);
    const { ui, frame } = await openAsMain({
      token,
      quickAction: 'remove-background',
      selection: [await layer('Logo', 30, 30)],
    });
    // No click: the command starts the batch (no gpu-worker runs here, so the task waits in the queue).
    await expect.poll(() => ui.fromUi.some((m) => (m as { type: string }).type === 'read-input')).toBe(true);
    await expect
      .poll(() => frame().locator('li[data-phase]').getAttribute('data-phase'), { timeout: 10_000 })
      .toBe('queued');
    await frame().getByRole('button', { name: 'Cancel Logo' }).click();
    await expect.poll(() => frame().locator('li[data-phase]').getAttribute('data-phase')).toBe('canceled');

    // Figma sets its theme's colours as CSS variables on the iframe's root.
    await frame().evaluate(`(() => {
      const root = document.documentElement;
      root.classList.add('figma-dark');
      root.style.setProperty('--figma-color-bg', '#2c2c2c');
      root.style.setProperty('--figma-color-text', '#ffffff');
    })()`);
    const colours = await frame().evaluate(
      '[getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]',
    );
    expect(colours).toEqual(['rgb(44, 44, 44)', 'rgb(255, 255, 255)']);
  });
});
