import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '@lumina/runtime';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EditWorker, startEditWorker } from '../backend/src/edit/edit-worker.ts';
import { loadEditWorkerConfig } from '../backend/src/edit/edit-worker-config.ts';
import { grantCredits } from '../backend/src/services/billing/grant-credits.ts';
import { type GeminiStandIn, imageReply, startGeminiStandIn } from '../backend/test/support/gemini-stand-in.ts';
import { fixture } from '../backend/test/support/harness.ts';
import { buildAddon } from '../plugins/adobe-express/test/support/build-addon.ts';
import {
  bundleFakeSdk,
  defaultHostConfig,
  documentState,
  fakeExpress,
  launchChromium,
  openPanel,
  pluginToken,
  renderPage,
  serveBackendLater,
  serveFolder,
  signUp,
} from '../plugins/adobe-express/test/support/panel-harness.ts';
import { type Slice, startSlice } from './support/slice.ts';

// The Express add-on end to end: the built panel in Chromium inside a fake Express host (its document sandbox is
// Lumina's real adapter over the project's fake document), the real backend over HTTP, and a real gpu-worker
// running ISNet. The selected photo goes out as the page rendition's crop and comes back cut out, in place.
let backendServer: Awaited<ReturnType<typeof serveBackendLater>>;
let slice: Slice;
let buildDir: string;
let addon: Awaited<ReturnType<typeof serveFolder>>;
let browser: Browser;
let gemini: GeminiStandIn;
let editWorker: EditWorker;
const geminiKey = 'express-e2e-gemini-key';

beforeAll(async () => {
  gemini = await startGeminiStandIn(geminiKey);
  backendServer = await serveBackendLater();
  slice = await startSlice({
    PUBLIC_BASE_URL: backendServer.origin,
    RATE_LIMIT_AUTH_PER_MINUTE: '0',
    GEMINI_API_KEY: geminiKey,
    GEMINI_BASE_URL: gemini.url,
  });
  backendServer.attach(slice.t.backend.app);
  editWorker = startEditWorker({
    config: loadEditWorkerConfig(slice.t.env),
    store: slice.t.backend.ctx.store,
    log: createLogger('edit', { silent: true }),
  });
  await editWorker.ready;
  buildDir = await buildAddon({ apiOrigin: backendServer.origin });
  addon = await serveFolder(join(buildDir, 'addon'));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await addon?.close();
  await editWorker?.close();
  await slice?.close();
  await gemini?.close();
  await backendServer?.close();
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
});

/** Mean alpha (0–255) over a rectangle given in fractions of the image. */
async function meanAlpha(png: Buffer, box: { left: number; top: number; width: number; height: number }) {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  let sum = 0;
  let count = 0;
  for (let y = Math.round(box.top * info.height); y < Math.round((box.top + box.height) * info.height); y += 1) {
    for (let x = Math.round(box.left * info.width); x < Math.round((box.left + box.width) * info.width); x += 1) {
      sum += data[(y * info.width + x) * info.channels + 3] ?? 0;
      count += 1;
    }
  }
  return sum / count;
}

describe('the Express add-on end to end', () => {
  it('replaces the selected photo with its background removed, and the team pays the price once', async () => {
    const { t } = slice;
    const person = await signUp(t, backendServer.origin);
    await grantCredits({ ctx: t.backend.ctx, input: { teamId: person.teamId, credits: 5 } });
    const token = await pluginToken(t, person);

    const photo = fixture('chelsea.png');
    const { width = 0, height = 0 } = await sharp(photo).metadata();
    const at = { x: 60, y: 40 };
    const { page, context, errors } = await openPanel(browser, addon.origin, await bundleFakeSdk(), {
      ...defaultHostConfig({
        page: { width: 640, height: 420 },
        pagePngBase64: await renderPage({ width: 640, height: 420 }, [{ png: photo, ...at }]),
      }),
      nodes: [{ name: 'chelsea', kind: 'image', ...at, width, height, selected: true }],
      storage: { 'lumina.token': token },
    });
    try {
      await expect.poll(() => page.getByTestId('balance').textContent(), { timeout: 20_000 }).toBe('5 credits');
      await expect.poll(() => page.getByTestId('selection').textContent()).toContain('1 image');
      await page.locator('[data-testid="placement"] sp-action-button[value="replace"]').click();
      await page.getByTestId('run').click();
      await expect
        .poll(() => page.getByTestId('job').first().getAttribute('data-status'), { timeout: 120_000 })
        .toBe('ready');
      await page.getByTestId('apply').click();
      await expect.poll(() => page.getByTestId('job').first().getAttribute('data-status')).toBe('done');

      const taskId = await page.getByTestId('job').first().getAttribute('data-task-id');
      const [node] = await documentState(page);
      expect(node).toMatchObject({ name: 'chelsea', type: 'MediaContainer', luminaTaskId: taskId });
      const replaced = Buffer.from(node?.bitmap?.base64 ?? '', 'base64');
      const meta = await sharp(replaced).metadata();
      expect({ format: meta.format, width: meta.width, height: meta.height, channels: meta.channels }).toEqual({
        format: 'png',
        width,
        height,
        channels: 4,
      });
      // The cat's face stays, the top-right background is gone (as in e2e/remove-background.test.ts).
      expect(await meanAlpha(replaced, { left: 0.2, top: 0.2, width: 0.25, height: 0.35 })).toBeGreaterThan(200);
      expect(await meanAlpha(replaced, { left: 0.85, top: 0, width: 0.15, height: 0.15 })).toBeLessThan(60);

      expect(await t.team(person.teamId)).toEqual({ balance: 4, reserved: 0 });
      expect((await t.ledger(person.teamId)).map((row) => row.kind)).toEqual(['grant', 'reserve', 'capture']);
      await expect.poll(() => page.getByTestId('balance').textContent()).toBe('4 credits');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('runs every operation with its form untouched, from the click to the result beside the original', async () => {
    const { t } = slice;
    const person = await signUp(t, backendServer.origin);
    await grantCredits({ ctx: t.backend.ctx, input: { teamId: person.teamId, credits: 50 } });
    const token = await pluginToken(t, person);
    const photo = fixture('chelsea.png');
    const { width = 0, height = 0 } = await sharp(photo).metadata();
    const at = { x: 20, y: 20 };
    const pageSize = { width: 1200, height: 800 };
    gemini.script(imageReply(await sharp(photo).png().toBuffer()));
    const { page, context, errors } = await openPanel(browser, addon.origin, await bundleFakeSdk(), {
      ...defaultHostConfig({ page: pageSize, pagePngBase64: await renderPage(pageSize, [{ png: photo, ...at }]) }),
      nodes: [{ name: 'chelsea', kind: 'image', ...at, width, height, selected: true }],
      storage: { 'lumina.token': token },
    });
    try {
      await expect.poll(() => page.getByTestId('balance').textContent(), { timeout: 20_000 }).toBe('50 credits');
      const operations = ['remove-background', 'upscale', 'magic-edit'] as const;
      for (const [index, operation] of operations.entries()) {
        await page.locator(`[data-testid="operations"] sp-action-button[value="${operation}"]`).click();
        // Only what cannot have a default is filled in: the edit's instruction.
        if (operation === 'magic-edit') await page.locator('[data-testid="field-prompt"] textarea').fill('keep it');
        await page.getByTestId('run').click();
        const job = page.getByTestId('job').first();
        await expect.poll(() => job.getAttribute('data-status'), { timeout: 150_000 }).toBe('ready');
        await job.getByTestId('apply').click();
        await expect.poll(() => job.getAttribute('data-status')).toBe('done');
        const taskId = (await job.getAttribute('data-task-id')) ?? '';
        const row = await t.taskRow(taskId);
        expect({ operation: row?.operation, status: row?.status }).toEqual({ operation, status: 'COMPLETED' });
        // The original stays; each result lands beside it, inside the page.
        const nodes = await documentState(page);
        expect(nodes).toHaveLength(index + 2);
        expect(nodes[0]?.luminaTaskId).toBeNull();
        const placed = nodes.find((node) => node.luminaTaskId === taskId);
        expect(placed?.bounds.x).toBeGreaterThanOrEqual(0);
        expect((placed?.bounds.x ?? 0) + (placed?.bounds.width ?? 0)).toBeLessThanOrEqual(pageSize.width);
        await fakeExpress(page, 'select', ['chelsea']);
      }
      const upscaled = (await documentState(page)).find(
        (node) => node.bitmap && node.bitmap.width === width * 2 && node.bitmap.height === height * 2,
      );
      expect(upscaled).toBeDefined();
      expect((await t.ledger(person.teamId)).filter((row) => row.kind === 'capture')).toHaveLength(3);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
