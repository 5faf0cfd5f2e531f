import { runInThisContext } from 'node:vm';
import { type GpuWorker, loadWorkerConfig, silentLogger, startGpuWorker } from '@lumina/gpu-worker';
import { Capabilities } from '@lumina/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../backend/test/support/harness.ts';
import { buildPlugin } from '../plugins/figma/test/support/build-plugin.ts';
import { FakeFigma } from '../plugins/figma/test/support/fake-figma.ts';
import { closeBrowser, openPluginUi, type PluginUi } from '../plugins/figma/test/support/ui-harness.ts';
import { type ServedBackend, serveBackend } from './support/served-backend.ts';

// The whole Figma path: the built main bundle running on the fake Figma host, the built UI in Chromium, the
// real backend over HTTP, and a real gpu-worker running ISNet on the selected image.
let served: ServedBackend;
let worker: GpuWorker;
let ui: PluginUi | undefined;

beforeAll(async () => {
  served = await serveBackend();
  worker = await startGpuWorker({
    config: loadWorkerConfig(served.t.env),
    store: served.t.backend.ctx.store,
    log: silentLogger,
  });
  await worker.ready;
});
afterAll(async () => {
  await ui?.close();
  await closeBrowser();
  await worker?.close();
  await served?.close();
});

describe('the Figma plugin end to end', () => {
  it('removes the background of a selected image in place and charges the team the price', async () => {
    const team = await served.t.newTeam(5);
    const capabilities = Capabilities.parse(await (await served.t.request('/api/v1/capabilities')).json());
    const price = capabilities.operations.find((op) => op.operation === 'remove-background')?.credits ?? 0;
    expect(price).toBeGreaterThan(0);

    const build = buildPlugin(served.origin);
    const figma = new FakeFigma('');
    const cat = figma.imageNode(fixture('chelsea.png'), { name: 'Cat' });
    const originalHash = cat.fills?.[0]?.type === 'IMAGE' ? cat.fills[0].imageHash : null;
    figma.select([cat]);
    await figma.clientStorage.setAsync('lumina.token', team.apiKey);

    // The built main bundle, as Figma runs it: a script with `figma` and `__html__` as globals.
    Object.assign(globalThis, { figma, __html__: build.uiHtml });
    runInThisContext(build.codeJs);
    expect(figma.shownUi?.html).toBe(build.uiHtml);

    ui = await openPluginUi(build.uiHtml, (message, opened) => {
      figma.uiListener = (reply) => void opened.send(reply);
      figma.fromUi(message);
    });
    const opened = ui;
    const frame = () => opened.frame();
    await expect.poll(() => frame().getByTestId('selection').textContent(), { timeout: 20_000 }).toBe('1 layer: Cat');
    await frame().locator('select[name="placement"]').selectOption('replace');
    await frame()
      .getByRole('button', { name: `Remove background · ${price} credits` })
      .click();

    await expect
      .poll(() => frame().locator('li[data-phase]').getAttribute('data-phase'), { timeout: 150_000, interval: 500 })
      .toBe('done');

    const paint = cat.fills?.[0];
    const newHash = paint?.type === 'IMAGE' ? paint.imageHash : null;
    expect(newHash).not.toBe(originalHash);
    expect(paint).toMatchObject({ type: 'IMAGE', scaleMode: 'FILL' });
    const bytes = figma.images.get(newHash ?? '');
    const meta = await sharp(bytes).metadata();
    expect({ format: meta.format, channels: meta.channels, width: meta.width, height: meta.height }).toEqual({
      format: 'png',
      channels: 4,
      width: 451,
      height: 300,
    });
    const { data } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
    let transparent = 0;
    for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 255) < 16) transparent += 1;
    expect(transparent / (data.length / 4)).toBeGreaterThan(0.1);
    expect(figma.undoSteps).toBe(1);
    expect(cat.relaunchData).toEqual({ open: 'Lumina: Remove background', 'remove-background': '', 'upscale-2': '' });

    expect(await served.t.team(team.teamId)).toEqual({ balance: 5 - price, reserved: 0 });
  });
});
