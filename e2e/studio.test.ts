import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type GpuWorker, loadWorkerConfig, silentLogger, startGpuWorker } from '@lumina/gpu-worker';
import { MeResponse, TaskList } from '@lumina/shared';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantCredits } from '../backend/src/services/billing/grant-credits.ts';
import { launchChromium } from '../backend/test/support/browser.ts';
import { fixturesDir } from '../backend/test/support/fixtures.ts';
import { imageReply } from '../backend/test/support/gemini-stand-in.ts';
import { type EditingBackend, serveEditingBackend } from './support/served-backend.ts';

// The studio as a person uses it: Chromium on the real backend (served on a real port), a real gpu-worker
// (ISNet and ESRGAN on onnxruntime) and the edit worker with Gemini replaced by its wire-protocol stand-in.
// With STUDIO_SCREENSHOTS=<dir> the run also saves the README's screenshots there.
const geminiKey = 'studio-test-key';
const editPrice = 3;
const screenshots = process.env.STUDIO_SCREENSHOTS;
let served: EditingBackend;
let gpu: GpuWorker;
let browser: Browser;

beforeAll(async () => {
  served = await serveEditingBackend({ geminiKey, priceMagicEdit: editPrice });
  gpu = await startGpuWorker({
    config: loadWorkerConfig(served.t.env),
    store: served.t.backend.ctx.store,
    log: silentLogger,
  });
  await gpu.ready;
  browser = await launchChromium();
  if (screenshots) mkdirSync(screenshots, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await gpu?.close();
  await served?.close();
});

const fixtureFile = (name: string) => ({
  name,
  type: name.endsWith('.png') ? 'image/png' : 'image/jpeg',
  b64: readFileSync(join(fixturesDir, name)).toString('base64'),
});

/** A DataTransfer holding files, made in the page, for a drop or a paste event. */
async function dataTransferOf(page: Page, files: Array<{ name: string; type: string; b64: string }>) {
  return page.evaluateHandle(`(() => {
    const transfer = new DataTransfer();
    for (const file of ${JSON.stringify(files)}) {
      const bytes = Uint8Array.from(atob(file.b64), (c) => c.charCodeAt(0));
      transfer.items.add(new File([bytes], file.name, { type: file.type }));
    }
    return transfer;
  })()`);
}

/** True when nothing on the page is wider than the viewport. */
const fitsViewport = (page: Page): Promise<boolean> =>
  page.evaluate('document.documentElement.scrollWidth <= window.innerWidth') as Promise<boolean>;

/** Signs a new person up through the dashboard's form and gives their team `credits` more. */
async function signUp(context: BrowserContext, credits: number): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${served.origin}/sign-up`);
  await page.locator('input[name=name]').fill('Studio Tester');
  await page.locator('input[name=email]').fill(`studio-${Math.random().toString(36).slice(2)}@example.com`);
  await page.locator('input[name=password]').fill('correct horse battery');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(`${served.origin}/`);
  const me = MeResponse.parse(await (await page.request.get(`${served.origin}/api/v1/me`)).json());
  await grantCredits({ ctx: served.t.backend.ctx, input: { teamId: me.activeTeamId, credits } });
  await page.goto(`${served.origin}/studio`);
  await expect.poll(() => page.getByRole('button', { name: 'Choose images…' }).isEnabled()).toBe(true);
  return page;
}

const balanceOf = async (page: Page): Promise<number> =>
  Number((await page.getByTestId('studio-balance').textContent())?.match(/\d+/)?.[0]);

/** Runs the card's chosen action and waits until its result is shown and the balance refreshed. */
async function runAndWait(page: Page, card: Locator, action: RegExp, workingShot?: string): Promise<number> {
  const button = card.getByRole('button', { name: action });
  const price = Number(await button.getAttribute('data-price'));
  const before = await balanceOf(page);
  await button.click();
  await expect.poll(() => card.getByTestId('progress').count(), { timeout: 120_000 }).toBe(1);
  if (workingShot) await shoot(page, workingShot);
  await expect.poll(() => card.getByTestId('progress').count(), { timeout: 120_000 }).toBe(0);
  expect(await card.getByRole('alert').allTextContents()).toEqual([]);
  await expect.poll(() => balanceOf(page), { timeout: 10_000 }).toBe(before - price);
  return price;
}

/** Saves the page in both colour schemes as `<name>-light.png` and `<name>-dark.png` (STUDIO_SCREENSHOTS only). */
const shoot = async (page: Page, name: string) => {
  if (!screenshots) return;
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: join(screenshots, `${name}-${scheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: null });
};

describe('the studio', () => {
  it('removes two backgrounds, compares, downloads a PNG with alpha, upscales the cut-out by sourceTaskId, and takes a pasted image', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await signUp(context, 40);
    await shoot(page, 'studio-empty');

    // Something that is not an image is refused in plain words before any upload.
    await page.dispatchEvent('.dropzone', 'drop', {
      dataTransfer: await dataTransferOf(page, [{ name: 'notes.bmp', type: 'image/bmp', b64: btoa('not an image') }]),
    });
    await expect
      .poll(() => page.getByRole('alert').first().textContent())
      .toContain('notes.bmp is not an image Lumina can read');

    await page.dispatchEvent('.dropzone', 'drop', {
      dataTransfer: await dataTransferOf(page, [fixtureFile('chelsea.png'), fixtureFile('horse.png')]),
    });
    const cards = page.getByTestId('image-card');
    await expect.poll(() => cards.count()).toBe(2);
    const [cat, horse] = [cards.nth(0), cards.nth(1)];
    expect(await cat.getByTestId('price').textContent()).toContain('1 credit');

    const start = await balanceOf(page);
    const spentOnCat = await runAndWait(page, cat, /^Remove background$/, 'studio-working');
    await shoot(page, 'studio-compare');
    const spentOnHorse = await runAndWait(page, horse, /^Remove background$/);
    expect(await balanceOf(page)).toBe(start - spentOnCat - spentOnHorse);

    // The compare slider moves from the keyboard and reveals less of the result.
    const slider = cat.getByRole('slider', { name: 'Compare before and after' });
    await slider.focus();
    await page.keyboard.press('Home');
    expect(await cat.locator('img.after').getAttribute('style')).toContain('inset(0px 100% 0px 0px)');

    const [download] = await Promise.all([page.waitForEvent('download'), cat.getByTestId('download-png').click()]);
    const png = readFileSync(await download.path());
    const meta = await sharp(png).metadata();
    expect([meta.format, meta.width, meta.height, meta.hasAlpha]).toEqual(['png', 451, 300, true]);
    const { data } = await sharp(png).extractChannel(3).raw().toBuffer({ resolveWithObject: true });
    expect(data.some((a) => a === 0)).toBe(true);

    // Upscale the cut-out: the result size and price are shown first, and the step chains from the removal.
    await cat.getByRole('radio', { name: 'Upscale' }).check();
    expect(await cat.getByTestId('price').textContent()).toContain('902 × 600 px');
    const upscalePrice = await runAndWait(page, cat, /^Upscale 2×$/);
    const tasks = TaskList.parse(await (await page.request.get(`${served.origin}/api/v1/tasks?limit=10`)).json()).data;
    const [upscale] = tasks;
    expect(upscale?.operation).toBe('upscale');
    expect(upscale?.creditsDeducted).toBe(upscalePrice);
    expect(upscale?.result).toMatchObject({ width: 902, height: 600 });
    const removal = tasks.find((task) => task.taskId === upscale?.sourceTaskId);
    expect(removal?.operation).toBe('remove-background');
    expect(await balanceOf(page)).toBe(start - spentOnCat - spentOnHorse - upscalePrice);

    // Paste from the clipboard adds a third image: the PNG goes on the system clipboard, then Ctrl-V.
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: served.origin });
    await page.evaluate(`(async () => {
      const bytes = Uint8Array.from(atob(${JSON.stringify(fixtureFile('smarties.png').b64)}), (c) => c.charCodeAt(0));
      await navigator.clipboard.write([new ClipboardItem({ 'image/png': new Blob([bytes], { type: 'image/png' }) })]);
    })()`);
    await page.locator('h1').click();
    await page.keyboard.press('Control+V');
    await expect.poll(() => cards.count()).toBe(3);
    expect(await cards.nth(2).getByRole('heading').textContent()).toMatch(/\.png$/);
    await context.close();
  }, 300_000);

  it('keeps every magic-edit take side by side; "Use this" continues from the chosen take', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await signUp(context, 20);
    const tint = (colour: string) =>
      sharp({ create: { width: 400, height: 328, channels: 3, background: colour } })
        .png()
        .toBuffer();
    served.gemini.script(imageReply(await tint('#ff8800')), imageReply(await tint('#0088ff')));
    await page.dispatchEvent('.dropzone', 'drop', {
      dataTransfer: await dataTransferOf(page, [fixtureFile('horse.png')]),
    });
    const card = page.getByTestId('image-card').first();
    await card.getByRole('radio', { name: 'Magic edit' }).check();
    await card.getByLabel('What to change').fill('make it sunset');
    expect(await card.getByTestId('price').textContent()).toContain(`${editPrice} credits`);
    await runAndWait(page, card, /^Magic edit$/);
    await card.getByRole('button', { name: /Try again/ }).click();
    await expect.poll(() => card.getByTestId('take').count(), { timeout: 60_000 }).toBe(2);
    await shoot(page, 'studio-takes');
    await card.getByRole('button', { name: 'Use take 2' }).click();
    await expect.poll(() => card.getByTestId('compare').count()).toBe(1);
    await context.close();
  });

  it('completes a removal at 360 px wide without anything wider than the screen', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, colorScheme: 'dark' });
    const page = await signUp(context, 10);
    await shoot(page, 'studio-phone-empty');
    await page.dispatchEvent('.dropzone', 'drop', {
      dataTransfer: await dataTransferOf(page, [fixtureFile('horse.png')]),
    });
    const card = page.getByTestId('image-card').first();
    await runAndWait(page, card, /^Remove background$/);
    expect(await card.getByTestId('compare').isVisible()).toBe(true);
    await shoot(page, 'studio-phone-compare');
    expect(await fitsViewport(page)).toBe(true);
    await context.close();
  });
});
