import { createContext, runInContext } from 'node:vm';
import { type GpuWorker, loadWorkerConfig, silentLogger, startGpuWorker } from '@lumina/gpu-worker';
import { Capabilities } from '@lumina/shared';
import type { Frame } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageReply } from '../backend/test/support/gemini-stand-in.ts';
import { fixture } from '../backend/test/support/harness.ts';
import { buildPlugin } from '../plugins/figma/test/support/build-plugin.ts';
import { FakeFigma, type FakeNode } from '../plugins/figma/test/support/fake-figma.ts';
import { relaunchCommands } from '../plugins/figma/test/support/plugin-rig.ts';
import { mainThreadGlobals } from '../plugins/figma/test/support/plugin-typings.ts';
import { closeBrowser, openPluginUi, type PluginUi, setFigmaTheme } from '../plugins/figma/test/support/ui-harness.ts';
import { type EditingBackend, serveEditingBackend } from './support/served-backend.ts';

// The whole Figma path: the built main bundle in a context holding only the globals Figma's main-thread
// typings declare (no `URL`, no DOM), on the fake Figma's strict view; the built UI in Chromium; the real
// backend over HTTP; a real gpu-worker (ISNet, ESRGAN) and the edit worker with Gemini at its wire protocol.
let served: EditingBackend;
let worker: GpuWorker;
let build: ReturnType<typeof buildPlugin>;
let capabilities: Capabilities;
const open: PluginUi[] = [];

beforeAll(async () => {
  served = await serveEditingBackend({ geminiKey: 'figma-e2e-key', priceMagicEdit: 2 });
  worker = await startGpuWorker({
    config: loadWorkerConfig(served.t.env),
    store: served.t.backend.ctx.store,
    log: silentLogger,
  });
  await worker.ready;
  build = buildPlugin(served.origin);
  capabilities = Capabilities.parse(await (await served.t.request('/api/v1/capabilities')).json());
});
afterAll(async () => {
  for (const ui of open) await ui.close();
  await closeBrowser();
  await worker?.close();
  await served?.close();
});

/** Loads the built code.js as Figma does: a script whose only globals are those the typings declare. */
function loadMainThread(figma: FakeFigma) {
  const offered: Record<string, unknown> = {
    figma: figma.api,
    __html__: build.uiHtml,
    __uiFiles__: {},
    console,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    fetch,
  };
  const globals = Object.fromEntries([...mainThreadGlobals()].map((name) => [name, offered[name]]));
  const context = createContext(globals);
  expect(runInContext('typeof URL', context)).toBe('undefined');
  runInContext(build.codeJs, context);
}

/** Runs a command on the built plugin, and opens the UI it shows (hidden or not) in Chromium. */
async function runPlugin(figma: FakeFigma, command: string, parameters?: Record<string, unknown>) {
  loadMainThread(figma);
  figma.run(command, parameters);
  await expect.poll(() => figma.shownUi ?? figma.closed).toBeTruthy();
  if (!figma.shownUi) return null;
  const ui = await openPluginUi(figma.shownUi.html, (message, opened) => {
    figma.uiListener = (reply) => void opened.send(reply);
    figma.fromUi(message);
  });
  open.push(ui);
  await setFigmaTheme(ui, 'light');
  return ui;
}

const priceOf = (operation: string) => capabilities.operations.find((op) => op.operation === operation)?.credits ?? 0;

/** The layer the plugin added beside `original`, and its image's pixels. */
async function resultBeside(figma: FakeFigma, original: FakeNode) {
  const added = figma.currentPage.children.find((node) => node !== original && node.name.startsWith(original.name));
  const paint = added?.fills?.[0];
  const bytes = paint?.type === 'IMAGE' ? figma.images.get(paint.imageHash ?? '') : undefined;
  const meta = bytes ? await sharp(bytes).metadata() : null;
  return { added, meta, bytes };
}

async function newFigma(token: string) {
  const figma = new FakeFigma('', relaunchCommands);
  await figma.clientStorage.setAsync('lumina.token', token);
  return figma;
}

const clickMain = (frame: Frame, name: RegExp) => frame.getByRole('button', { name }).click();

describe('the Figma plugin end to end', () => {
  it('removes a background with the form untouched: reviewed, applied beside the original, charged once', async () => {
    const team = await served.t.newTeam(5);
    const figma = await newFigma(team.apiKey);
    const cat = figma.imageNode(fixture('chelsea.png'), { name: 'Cat' });
    figma.select([cat]);
    const ui = await runPlugin(figma, 'open');
    const frame = () => ui?.frame() ?? expect.unreachable();
    await expect.poll(() => frame().getByTestId('selection').textContent(), { timeout: 20_000 }).toBe('1 layer: Cat');
    await clickMain(frame(), new RegExp(`^Remove background · ${priceOf('remove-background')} credits?$`));

    await expect
      .poll(() => frame().locator('li[data-phase]').getAttribute('data-phase'), { timeout: 150_000 })
      .toBe('review');
    await frame().getByRole('button', { name: 'Apply', exact: true }).click();
    await expect.poll(() => frame().locator('li[data-phase]').getAttribute('data-phase')).toBe('done');

    const { added, meta, bytes } = await resultBeside(figma, cat);
    expect({ format: meta?.format, channels: meta?.channels, width: meta?.width, height: meta?.height }).toEqual({
      format: 'png',
      channels: 4,
      width: 451,
      height: 300,
    });
    const { data } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
    let transparent = 0;
    for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 255) < 16) transparent += 1;
    expect(transparent / (data.length / 4)).toBeGreaterThan(0.1);
    // The default placement never destroys the original.
    expect(cat.visible).toBe(true);
    expect(added?.x).toBeGreaterThan(cat.x + cat.width);
    expect(added?.relaunchData).toEqual({ open: '', repeat: 'Lumina: Remove background' });
    expect(figma.undoSteps).toBe(1);
    expect(await served.t.team(team.teamId)).toEqual({ balance: 5 - priceOf('remove-background'), reserved: 0 });
  });

  it('upscales a finished cut-out by its task id: no image sent, the result beside the same layer, charged per step', async () => {
    const team = await served.t.newTeam(10);
    const figma = await newFigma(team.apiKey);
    // A small cat keeps the CPU upscale short; the removal runs at the model's own size whatever the input.
    const small = await sharp(fixture('chelsea.png')).resize(150, 100).png().toBuffer();
    const cat = figma.imageNode(new Uint8Array(small), { name: 'Cat' });
    figma.select([cat]);
    const ui = await runPlugin(figma, 'open');
    const frame = () => ui?.frame() ?? expect.unreachable();
    await expect.poll(() => frame().getByTestId('selection').textContent(), { timeout: 20_000 }).toBe('1 layer: Cat');
    await clickMain(frame(), /^Remove background · \d+ credits?$/);
    await expect
      .poll(() => frame().locator('li[data-phase]').first().getAttribute('data-phase'), { timeout: 150_000 })
      .toBe('review');
    const removal = frame().locator('li[data-phase="review"]');
    const removalTaskId = await removal.getAttribute('data-task-id');
    const bodies: string[] = [];
    ui?.page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/api/v1/process')) {
        bodies.push(request.postDataBuffer()?.toString('latin1') ?? '');
      }
    });

    // Straight from the review: the cut-out is upscaled before it is ever placed.
    await removal.getByTestId('next-steps').getByText('Upscale this', { exact: true }).click();
    await expect.poll(() => frame().locator('li[data-phase]').count()).toBe(2);
    const upscale = frame().locator('li[data-phase]').first();
    await expect.poll(() => upscale.getAttribute('data-phase'), { timeout: 150_000 }).toBe('review');
    expect(await upscale.getAttribute('data-source-task-id')).toBe(removalTaskId);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatch(new RegExp(`name="sourceTaskId"\\r\\n\\r\\n${removalTaskId}\\r\\n`));
    expect(bodies[0]).not.toContain('name="image"');
    const upscaleTaskId = await upscale.getAttribute('data-task-id');
    const view = await served.t.request(`/api/v1/tasks/${upscaleTaskId}`, { headers: team.auth });
    const task = (await view.json()) as { sourceTaskId?: string; creditsDeducted?: number };
    expect(task.sourceTaskId).toBe(removalTaskId);

    // The review shows the upscale; Apply puts it beside the original layer, as the cut-out would have gone.
    await frame().getByRole('button', { name: 'Apply', exact: true }).click();
    await expect.poll(() => upscale.getAttribute('data-phase')).toBe('done');
    const added = figma.currentPage.children.find((node) => node.name === 'Cat · Upscale 2×');
    const paint = added?.fills?.[0];
    const bytes = figma.images.get(paint?.type === 'IMAGE' ? (paint.imageHash ?? '') : '');
    const meta = bytes ? await sharp(bytes).metadata() : null;
    expect([meta?.width, meta?.height, meta?.channels]).toEqual([300, 200, 4]);
    // What was upscaled is the cut-out, not the photo: its background is still transparent.
    const { data } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
    let transparent = 0;
    for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 255) < 16) transparent += 1;
    expect(transparent / (data.length / 4)).toBeGreaterThan(0.1);
    expect(added?.x).toBeGreaterThan(cat.x + cat.width);
    expect(cat.visible).toBe(true);
    expect(figma.undoSteps).toBe(1);
    // Charged once per step: the removal and the upscale, nothing for the input that was not sent again.
    expect(task.creditsDeducted).toBe(priceOf('upscale'));
    expect(await served.t.team(team.teamId)).toEqual({
      balance: 10 - priceOf('remove-background') - priceOf('upscale'),
      reserved: 0,
    });
  });

  it('upscales with the form untouched: 2× with the fast model', async () => {
    const team = await served.t.newTeam(10);
    const figma = await newFigma(team.apiKey);
    const png = await sharp({ create: { width: 64, height: 48, channels: 4, background: '#3366ff' } })
      .png()
      .toBuffer();
    const photo = figma.imageNode(new Uint8Array(png), { name: 'Photo' });
    figma.select([photo]);
    const ui = await runPlugin(figma, 'open');
    const frame = () => ui?.frame() ?? expect.unreachable();
    await frame().locator('[data-field="operation"]').getByText('Upscale', { exact: true }).click();
    expect(await frame().getByTestId('output-size').textContent()).toBe('→ 128 × 96 px');
    await clickMain(frame(), /^Upscale · \d+ credits?$/);
    await expect
      .poll(() => frame().locator('li[data-phase]').getAttribute('data-phase'), { timeout: 150_000 })
      .toBe('review');
    await frame().getByRole('button', { name: 'Apply', exact: true }).click();
    await expect.poll(() => frame().locator('li[data-phase]').getAttribute('data-phase')).toBe('done');
    const { meta } = await resultBeside(figma, photo);
    expect([meta?.width, meta?.height]).toEqual([128, 96]);
  });

  it('runs a magic edit with only the instruction typed', async () => {
    const team = await served.t.newTeam(10);
    served.gemini.script(
      imageReply(
        Buffer.from(
          await sharp({ create: { width: 64, height: 64, channels: 4, background: '#ff66cc' } })
            .png()
            .toBuffer(),
        ),
      ),
    );
    const figma = await newFigma(team.apiKey);
    const card = figma.node('FRAME', { name: 'Card', width: 80, height: 50 });
    figma.select([card]);
    const ui = await runPlugin(figma, 'open');
    const frame = () => ui?.frame() ?? expect.unreachable();
    await frame().locator('[data-field="operation"]').getByText('Magic edit', { exact: true }).click();
    await frame().locator('[data-field="prompt"] textarea').fill('make it pink');
    await clickMain(frame(), /^Magic edit · 2 credits$/);
    await expect
      .poll(() => frame().locator('li[data-phase]').getAttribute('data-phase'), { timeout: 60_000 })
      .toBe('review');
    await frame().getByRole('button', { name: 'Apply', exact: true }).click();
    await expect.poll(() => frame().locator('li[data-phase]').getAttribute('data-phase')).toBe('done');
    const { meta } = await resultBeside(figma, card);
    expect([meta?.width, meta?.height]).toEqual([80, 50]);
  });

  it('runs Upscale from the quick-actions bar without the panel, then notifies and closes', async () => {
    const team = await served.t.newTeam(10);
    const figma = await newFigma(team.apiKey);
    const png = await sharp({ create: { width: 40, height: 30, channels: 4, background: '#33aa66' } })
      .png()
      .toBuffer();
    const icon = figma.imageNode(new Uint8Array(png), { name: 'Icon' });
    figma.select([icon]);
    await runPlugin(figma, 'upscale', { scale: '2' });
    expect(figma.shownUi?.options).toMatchObject({ visible: false });
    await expect.poll(() => figma.closed, { timeout: 150_000 }).toBe(true);
    expect(figma.notifications).toEqual([{ message: 'Lumina: Upscale 2× done on 1 of 1 layer', error: false }]);
    const { meta } = await resultBeside(figma, icon);
    expect([meta?.width, meta?.height]).toEqual([80, 60]);
  });

  it('says "Select an image layer first" when a quick action finds nothing selected', async () => {
    const team = await served.t.newTeam(1);
    const figma = await newFigma(team.apiKey);
    expect(await runPlugin(figma, 'remove-background')).toBeNull();
    expect(figma.notifications).toEqual([{ message: 'Select an image layer first', error: true }]);
  });

  it('opens Buy credits from a main thread without the global URL', async () => {
    const team = await served.t.newTeam(1);
    const figma = await newFigma(team.apiKey);
    const ui = await runPlugin(figma, 'open');
    const frame = () => ui?.frame() ?? expect.unreachable();
    await frame().getByRole('button', { name: 'Account' }).click();
    await frame().getByRole('menuitem', { name: 'Buy credits' }).click();
    await expect.poll(() => figma.opened).toEqual([`${served.origin}/billing`]);
  });
});
