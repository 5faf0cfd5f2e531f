import type { Frame } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantCredits } from '../../../backend/src/services/billing/grant-credits.ts';
import { type GeminiStandIn, imageReply } from '../../../backend/test/support/gemini-stand-in.ts';
import { type EditingBackend, serveEditingBackend, signUpAndApprover } from '../../../e2e/support/served-backend.ts';
import { defaultPanelSettings, ToMain } from '../src/lib/messages.ts';
import { buildPlugin } from './support/build-plugin.ts';
import { closeBrowser, openPluginUi, type PluginUi, saveScreenshot, setFigmaTheme } from './support/ui-harness.ts';

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
async function openAsMain(init: {
  token: string | null;
  quickJob?: { operation: string; values: Record<string, string> } | null;
  selection: Selected[];
  theme?: 'light' | 'dark';
}) {
  const applied: Array<Extract<ToMain, { type: 'apply-result' }>> = [];
  const ui = await openPluginUi(uiHtml, async (raw, ui) => {
    const message = ToMain.parse(raw);
    if (message.type === 'ui-ready') {
      await ui.send({
        type: 'init',
        token: init.token,
        quickJob: init.quickJob ?? null,
        settings: defaultPanelSettings,
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
  await setFigmaTheme(ui, init.theme ?? 'light');
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
  if (credits > 0) await grantCredits({ ctx: served.t.backend.ctx, input: { teamId: person.personalTeamId, credits } });
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

const operationTab = (frame: () => Frame, name: string) =>
  frame().locator('[data-field="operation"]').getByText(name, { exact: true }).click();
const typePrompt = (frame: () => Frame, prompt: string) =>
  frame().locator('[data-field="prompt"] textarea').fill(prompt);
const phaseOf = (frame: () => Frame) => frame().locator('li[data-phase]').first().getAttribute('data-phase');

describe('the plugin UI in Chromium', () => {
  it('signs in by pairing, shows the balance, and keeps account actions in a menu away from the main button', async () => {
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
    const token = (ui.fromUi.find((m) => (m as { type: string }).type === 'save-token') as { token: string }).token;

    // Sign out is not next to the main button: it is in the account menu in the header.
    expect(await frame().getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    await frame().getByRole('button', { name: 'Account' }).click();
    await frame().getByRole('menuitem', { name: 'Buy credits' }).click();
    await expect.poll(() => ui.fromUi.at(-1)).toEqual({ type: 'open-external', url: `${served.origin}/billing` });
    await frame().getByRole('button', { name: 'Account' }).click();
    await frame().getByRole('menuitem', { name: 'Sign out' }).click();
    await expect.poll(() => ui.fromUi.at(-1)).toEqual({ type: 'save-token', token: null });
    expect(await frame().getByRole('button', { name: 'Sign in with the browser' }).isVisible()).toBe(true);
    // Sign-out revoked the session on the server: the token no longer works anywhere.
    await expect
      .poll(
        async () => (await served.t.request('/api/v1/me', { headers: { authorization: `Bearer ${token}` } })).status,
      )
      .toBe(401);
  });

  it('sends an upscale with the form untouched: 2× by default, the output size said before sending', async () => {
    const { token } = await pluginToken(10);
    const { frame } = await openAsMain({ token, selection: [await layer('Photo', 900, 600)] });
    await operationTab(frame, 'Upscale');
    expect(await frame().getByTestId('output-size').textContent()).toBe('→ 1800 × 1200 px');
    await frame()
      .getByRole('button', { name: /^Upscale · \d+ credits?$/ })
      .click();
    // No gpu-worker here: the task waits in the queue, which shows the API accepted what the form sent.
    await expect.poll(() => phaseOf(frame), { timeout: 20_000 }).toBe('queued');
    await frame().getByRole('button', { name: 'Cancel Photo' }).click();
    await expect.poll(() => phaseOf(frame)).toBe('canceled');
  });

  it('speaks the designer’s language: trim with a margin, a background swatch, cut-out or mask, credits in the singular', async () => {
    const { token } = await pluginToken(10);
    const { frame } = await openAsMain({ token, selection: [await layer('Photo', 90, 60)] });
    const labels = async () => (await frame().locator('.fields').first().textContent()) ?? '';
    await expect.poll(labels).toMatch(/Trim to subject[\s\S]*Background[\s\S]*Transparent[\s\S]*Output[\s\S]*Cut-out/);
    expect(await labels()).not.toMatch(/crop|bg_color|channels|rgba/);
    // Figma's UI3 components from the UI kit, not the browser's own controls.
    expect(await frame().locator('select, input[type="text"][name="bg_color"]').count()).toBe(0);
    expect(await frame().getByRole('button', { name: 'Remove background · 1 credit' }).count()).toBe(1);
    await frame().locator('[data-field="crop"] label').click();
    await expect.poll(() => frame().locator('[data-field="crop_margin"]').count()).toBe(1);
    await frame().locator('[data-field="background"]').getByText('Colour', { exact: true }).click();
    await expect.poll(() => frame().locator('[data-field="bg_color"]').count()).toBe(1);
  });

  it('holds a magic edit’s result for review, then Apply puts it in beside the original', async () => {
    const { token } = await pluginToken(10);
    gemini.script(imageReply(Buffer.from(await solid(64, 64, '#ff66cc'))));
    const card = await layer('Card', 80, 50);
    const { frame, applied } = await openAsMain({ token, selection: [card] });

    await operationTab(frame, 'Magic edit');
    await typePrompt(frame, 'make it pink');
    await frame()
      .getByRole('button', { name: /Magic edit · 3 credits/ })
      .click();

    await expect.poll(() => phaseOf(frame), { timeout: 30_000 }).toBe('review');
    expect(applied).toHaveLength(0);
    await frame().getByTestId('review').getByText('Before', { exact: true }).click();
    await expect.poll(() => frame().getByAltText('Card, before').count()).toBe(1);
    await frame().getByRole('button', { name: 'Apply', exact: true }).click();
    await expect.poll(() => phaseOf(frame)).toBe('done');
    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatchObject({
      nodeId: card.nodeId,
      placement: 'beside',
      hideOriginal: false,
      widthPx: 80,
      heightPx: 50,
      label: 'Magic edit',
      job: { operation: 'magic-edit', values: { prompt: 'make it pink' } },
    });
    const meta = await sharp(applied[0]?.pieces[0]?.bytes).metadata();
    expect([meta.width, meta.height]).toEqual([80, 50]);
    await expect.poll(() => frame().getByTestId('balance').textContent(), { timeout: 10_000 }).toBe('7 credits');
  });

  it.each(['light', 'dark'] as const)(
    'edits a finished result again by its task id (%s): no image is sent, the same layer gets it, each step is charged',
    async (theme) => {
      const { token, teamId } = await pluginToken(10);
      gemini.script(imageReply(Buffer.from(await solid(80, 50, '#ff66cc'))));
      const card = await layer('Card', 80, 50);
      const { ui, frame, applied } = await openAsMain({ token, selection: [card], theme });
      await operationTab(frame, 'Magic edit');
      await typePrompt(frame, 'make it pink');
      await frame()
        .getByRole('button', { name: /Magic edit · 3 credits/ })
        .click();
      await expect.poll(() => phaseOf(frame), { timeout: 30_000 }).toBe('review');
      await frame().getByRole('button', { name: 'Apply', exact: true }).click();
      await expect.poll(() => phaseOf(frame)).toBe('done');
      const firstTaskId = await frame().locator('li[data-phase="done"]').getAttribute('data-task-id');
      const bodies: string[] = [];
      ui.page.on('request', (request) => {
        if (request.method() === 'POST' && request.url().endsWith('/api/v1/process')) {
          bodies.push(request.postDataBuffer()?.toString('latin1') ?? '');
        }
      });

      gemini.script(imageReply(Buffer.from(await solid(80, 50, '#3366ff'))));
      const next = frame().locator('li[data-phase="done"] [data-testid="next-steps"]');
      expect(await next.locator('button').allTextContents()).toEqual(['Upscale this', 'Edit again']);
      await next.getByText('Edit again', { exact: true }).click();
      // The newest row is the second step's, named after the same layer and what it does.
      await expect.poll(() => frame().locator('li[data-phase]').count()).toBe(2);
      await expect.poll(() => phaseOf(frame), { timeout: 30_000 }).toBe('review');
      const second = frame().locator('li[data-phase]').first();
      expect(await second.locator('.name').textContent()).toBe('Card · Magic edit');
      expect(await second.getAttribute('data-source-task-id')).toBe(firstTaskId);
      expect(bodies).toHaveLength(1);
      expect(bodies[0]).toMatch(new RegExp(`name="sourceTaskId"\\r\\n\\r\\n${firstTaskId}\\r\\n`));
      expect(bodies[0]).not.toContain('name="image"');
      // The layer was read once, for the first step only.
      expect(ui.fromUi.filter((m) => (m as { type: string }).type === 'read-input')).toHaveLength(1);
      // The review and both rows, scrolled into view as the designer would to see them.
      await frame().getByTestId('rows').scrollIntoViewIfNeeded();
      await saveScreenshot(ui, `chain-second-${theme}`);

      await frame().getByRole('button', { name: 'Apply', exact: true }).click();
      await expect.poll(() => frame().locator('li[data-phase="done"]').count()).toBe(2);
      expect(applied.map((message) => [message.nodeId, message.label, message.job.values.prompt])).toEqual([
        [card.nodeId, 'Magic edit', 'make it pink'],
        [card.nodeId, 'Magic edit', 'make it pink'],
      ]);
      const { data } = await sharp(applied[1]?.pieces[0]?.bytes).raw().toBuffer({ resolveWithObject: true });
      expect([data[0], data[1], data[2]]).toEqual([51, 102, 255]);
      const secondTaskId = await second.getAttribute('data-task-id');
      const view = await served.t.request(`/api/v1/tasks/${secondTaskId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(((await view.json()) as { sourceTaskId?: string }).sourceTaskId).toBe(firstTaskId);
      // Two magic edits at 3 credits each, charged once per step.
      expect(await served.t.team(teamId)).toEqual({ balance: 4, reserved: 0 });
      await expect.poll(() => frame().getByTestId('balance').textContent(), { timeout: 10_000 }).toBe('4 credits');
    },
  );

  it('asks for an instruction before editing a result again, in the magic edit form, and sends nothing until then', async () => {
    const { token } = await pluginToken(10);
    gemini.script(imageReply(Buffer.from(await solid(40, 40, '#ff66cc'))));
    const { frame } = await openAsMain({ token, selection: [await layer('Logo', 40, 40)] });
    await operationTab(frame, 'Magic edit');
    await typePrompt(frame, 'make it pink');
    await frame()
      .getByRole('button', { name: /Magic edit · 3 credits/ })
      .click();
    await expect.poll(() => phaseOf(frame), { timeout: 30_000 }).toBe('review');
    await typePrompt(frame, '');
    await operationTab(frame, 'Upscale');
    await frame().getByTestId('next-steps').getByText('Edit again', { exact: true }).click();
    await expect
      .poll(() => frame().getByTestId('notice').textContent())
      .toBe('Say what to change first, e.g. “make it sunset”. Then choose Edit again.');
    expect(await frame().locator('[data-field="prompt"] textarea').count()).toBe(1);
    expect(await frame().locator('li[data-phase]').count()).toBe(1);
  });

  it('warns before sending that a result will pass 4096 px, and inserts it as tiles cut in the browser', async () => {
    const { token } = await pluginToken(10);
    gemini.script(imageReply(Buffer.from(await solid(1024, 16, '#ff66cc'))));
    const banner = await layer('Banner', 4200, 60);
    const { frame, applied } = await openAsMain({ token, selection: [banner] });
    await operationTab(frame, 'Magic edit');
    await typePrompt(frame, 'make it pink');

    await expect.poll(() => frame().getByTestId('large-warning').textContent()).toContain('over 4096 px');
    await frame().locator('[data-field="large-result"]').getByText('Tiles', { exact: true }).click();
    await frame()
      .getByRole('button', { name: /Magic edit/ })
      .click();
    await expect.poll(() => phaseOf(frame), { timeout: 30_000 }).toBe('review');
    await frame().getByRole('button', { name: 'Apply', exact: true }).click();

    await expect.poll(() => applied.length, { timeout: 30_000 }).toBe(1);
    const pieces = applied[0]?.pieces ?? [];
    expect(pieces.map(({ x, y, widthPx, heightPx }) => ({ x, y, widthPx, heightPx }))).toEqual([
      { x: 0, y: 0, widthPx: 4096, heightPx: 60 },
      { x: 4096, y: 0, widthPx: 104, heightPx: 60 },
    ]);
    const sizes = await Promise.all(pieces.map(async (piece) => (await sharp(piece.bytes).metadata()).width));
    expect(sizes).toEqual([4096, 104]);
  });

  it('explains a refused task in plain words, keeping the layer’s name in its row', async () => {
    const { token } = await pluginToken(1);
    const name = 'Summer campaign / Hero banner with a long layer name';
    const { frame } = await openAsMain({ token, selection: [await layer(name, 40, 40)] });
    await operationTab(frame, 'Magic edit');
    await typePrompt(frame, 'add a hat');
    await frame()
      .getByRole('button', { name: /Magic edit/ })
      .click();
    await expect
      .poll(() => frame().locator('li[data-phase="error"] .status').textContent(), { timeout: 30_000 })
      .toBe('Not enough credits left on this team. Buy more credits to continue.');
    const nameBox = await frame().locator('li[data-phase="error"] .name').boundingBox();
    expect(nameBox?.width ?? 0).toBeGreaterThan(100);
    expect(await frame().locator('li[data-phase="error"] .name').getAttribute('title')).toBe(name);
  });

  it('runs a quick action hidden, with every option it did not set at its default, then notifies and closes', async () => {
    const { token } = await pluginToken(5);
    gemini.script(imageReply(Buffer.from(await solid(30, 30, '#ff66cc'))));
    const { ui, applied } = await openAsMain({
      token,
      quickJob: { operation: 'magic-edit', values: { prompt: 'make it pink' } },
      selection: [await layer('Logo', 30, 30)],
    });
    await expect.poll(() => ui.fromUi.at(-1), { timeout: 30_000 }).toEqual({ type: 'close' });
    expect(applied[0]?.job).toEqual({ operation: 'magic-edit', values: { prompt: 'make it pink', size: 'original' } });
    expect(ui.fromUi.at(-2)).toEqual({
      type: 'notify',
      message: 'Lumina: Magic edit done on 1 of 1 layer',
      error: false,
    });
  });

  // Eight panels, each against the real backend: longer than one test's usual budget on a busy machine.
  it.each(['light', 'dark'] as const)(
    'follows Figma’s %s theme, and records the main states for the README',
    async (theme) => {
      const person = await pluginToken(20);
      const signedOut = await openAsMain({ token: null, selection: [], theme });
      await signedOut.frame().getByRole('button', { name: 'Sign in with the browser' }).waitFor();
      const colours = await signedOut.frame().evaluate('getComputedStyle(document.body).backgroundColor');
      expect(colours).toBe(theme === 'dark' ? 'rgb(44, 44, 44)' : 'rgb(255, 255, 255)');
      await saveScreenshot(signedOut.ui, `signed-out-${theme}`);

      const one = await openAsMain({ token: person.token, selection: [await layer('Hero photo', 900, 600)], theme });
      await operationTab(one.frame, 'Upscale');
      await one.frame().getByTestId('output-size').waitFor();
      await saveScreenshot(one.ui, `one-layer-${theme}`);

      const batch = await openAsMain({
        token: person.token,
        selection: await Promise.all(
          ['Hero photo', 'Product shot', 'Logo', 'Team portrait'].map((name) => layer(name, 90, 60)),
        ),
        theme,
      });
      await batch
        .frame()
        .getByRole('button', { name: /Remove background 4 layers/ })
        .click();
      // Three in flight, the fourth waits its turn.
      await expect.poll(() => batch.frame().locator('li[data-phase="queued"]').count(), { timeout: 20_000 }).toBe(3);
      expect(await batch.frame().locator('li[data-phase="waiting"]').count()).toBe(1);
      await saveScreenshot(batch.ui, `batch-${theme}`);
      await batch.frame().getByRole('button', { name: 'Cancel all' }).click();
      await expect.poll(() => batch.frame().locator('li[data-phase="canceled"]').count()).toBe(4);

      const broke = await pluginToken(0);
      const failing = await openAsMain({ token: broke.token, selection: [await layer('Poster', 40, 40)], theme });
      await failing
        .frame()
        .getByRole('button', { name: /Remove background/ })
        .click();
      await failing.frame().locator('li[data-phase="error"]').waitFor({ timeout: 20_000 });
      await saveScreenshot(failing.ui, `error-${theme}`);
    },
    300_000,
  );
});
