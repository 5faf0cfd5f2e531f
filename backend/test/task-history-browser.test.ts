import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ApiKeyCreated, SubmitTaskResponse } from '@lumina/shared';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantCredits } from '../src/services/billing/grant-credits.ts';
import { settleTask } from '../src/services/tasks/settle-task.ts';
import { launchChromium, type ServedBackend, serveTestBackend } from './support/browser.ts';
import { completeAsWorker } from './support/complete-task.ts';
import { fixture, processForm } from './support/harness.ts';

// The task history, the dashboard's recent tasks and the usage chart in Chromium at 1280 and 375 px wide, light
// and dark. With HISTORY_SCREENSHOTS=<dir> the run saves the README's screenshots there (else under the OS tmp).
const screenshots = process.env.HISTORY_SCREENSHOTS ?? join('/tmp', 'lumina-history-screenshots');
let served: ServedBackend;
let browser: Browser;
let session: string;
let chainedTaskId: string;

/** A cut-out whose subject is near-black: on a dark page it only stays visible over the light checkerboard. */
const darkCutout = (width: number, height: number): Promise<Buffer> =>
  sharp({ create: { width, height, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .composite([
      {
        input: { create: { width: width / 2, height: height / 2, channels: 4, background: '#151519' } },
        top: height / 4,
        left: width / 4,
      },
    ])
    .png()
    .toBuffer();

beforeAll(async () => {
  served = await serveTestBackend();
  browser = await launchChromium();
  const { origin, t } = served;

  // Sign up through the form, as a person would; the session cookie then serves every context below.
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${origin}/sign-up`);
  await page.getByLabel('Name').fill('Hedy');
  await page.getByLabel('E-mail').fill(`hedy-${randomBytes(4).toString('hex')}@example.com`);
  await page.getByLabel('Password').fill(`correct horse ${randomBytes(4).toString('hex')}`);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(`${origin}/`);
  const cookie = (await context.cookies()).find((c) => c.name === 'lumina_session');
  if (!cookie) throw new Error('no session cookie after sign-up');
  session = cookie.value;
  const me = (await (await page.request.get(`${origin}/api/v1/me`)).json()) as { activeTeamId: string };
  await context.close();

  // 200 credits bought today: the addition the chart must not draw on the spending's scale.
  await grantCredits({ ctx: t.backend.ctx, input: { teamId: me.activeTeamId, credits: 200 } });
  const studio = { origin, cookie: `lumina_session=${session}` };
  const keyRes = await fetch(`${origin}/api/v1/teams/${me.activeTeamId}/api-keys`, {
    method: 'POST',
    headers: { ...studio, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'CI pipeline' }),
  });
  const key = { authorization: `Bearer ${ApiKeyCreated.parse(await keyRes.json()).secret}` };
  const submit = async (headers: Record<string, string>, body: FormData) => {
    const res = await fetch(`${origin}/api/v1/process`, { method: 'POST', headers, body });
    if (res.status !== 202) throw new Error(`submit answered ${res.status}: ${await res.text()}`);
    return SubmitTaskResponse.parse(await res.json()).taskId;
  };

  const cutout = await submit(key, processForm(fixture('horse.png'), {}, 'horse in the paddock.png'));
  await completeAsWorker(t, cutout, await darkCutout(400, 328));
  const upscale = new FormData();
  upscale.set('sourceTaskId', cutout);
  upscale.set('operation', 'upscale');
  upscale.set('scale', '4');
  chainedTaskId = await submit(studio, upscale);
  await completeAsWorker(t, chainedTaskId, await darkCutout(1600, 1312));
  const failed = await submit(
    { ...key, 'x-lumina-client': 'cli' },
    processForm(fixture('chelsea.png'), { crop: 'true', bg_color: 'white' }, 'chelsea.png'),
  );
  await settleTask({
    ctx: t.backend.ctx,
    input: { taskId: failed, outcome: { kind: 'failed', code: 'no_subject', message: 'No subject was found.' } },
  });
  await submit(studio, processForm(fixture('chelsea.png'), { channels: 'alpha' }, 'chelsea mask.png'));
  mkdirSync(screenshots, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

async function openAs(width: number, scheme: 'light' | 'dark'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme });
  await context.addCookies([{ name: 'lumina_session', value: session, url: served.origin }]);
  return { context, page: await context.newPage() };
}

const fitsTheScreen = (page: Page) =>
  page.evaluate('document.documentElement.scrollWidth <= window.innerWidth') as Promise<boolean>;

/** Every chart label's rendered font size and box, in CSS px. */
const chartLabels = (page: Page) =>
  page.evaluate(`[...document.querySelectorAll('.chart-body [data-axis-label], .chart-body .tick')].map((e) => {
    const box = e.getBoundingClientRect();
    return { text: e.textContent, fontPx: parseFloat(getComputedStyle(e).fontSize), height: box.height,
      width: box.width, left: box.left, right: box.right };
  })`) as Promise<Array<{ text: string; fontPx: number; height: number; width: number; left: number; right: number }>>;

/** Mean luminance (0–255) of an element as rendered. */
async function luminanceOf(page: Page, selector: string): Promise<number> {
  const png = await page.locator(selector).first().screenshot();
  const { channels } = await sharp(png).removeAlpha().stats();
  const [r, g, b] = channels.map((c) => c.mean);
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
}

describe('the task history and usage chart in Chromium', () => {
  for (const width of [1280, 375]) {
    for (const scheme of ['light', 'dark'] as const) {
      it(`at ${width} px, ${scheme}: readable chart labels, the history and the task page within the screen`, async () => {
        const { context, page } = await openAs(width, scheme);
        const suffix = `${width === 375 ? 'phone-' : ''}${scheme}`;

        await page.goto(`${served.origin}/`);
        await page.waitForLoadState('networkidle');
        expect(await fitsTheScreen(page)).toBe(true);
        const labels = await chartLabels(page);
        expect(labels.map((l) => l.text)).toEqual(expect.arrayContaining(['credits spent', 'day (UTC)']));
        for (const label of labels) {
          expect({ text: label.text, readable: label.fontPx >= 11 && label.height >= 11 }).toEqual({
            text: label.text,
            readable: true,
          });
          expect(label.left).toBeGreaterThanOrEqual(0);
          expect(label.right).toBeLessThanOrEqual(width);
        }
        // One y axis, spent only: today's 200 added credits are a marker, and today's bar fills half the plot or more.
        expect(await page.locator('.added-band .marker').count()).toBe(1);
        const plot = await page.locator('.chart-body .plot').boundingBox();
        const bars = await page
          .locator('rect.spent')
          .evaluateAll((rects) => rects.map((r) => r.getBoundingClientRect().height));
        expect(Math.max(...bars)).toBeGreaterThanOrEqual((plot?.height ?? 0) / 2);
        expect(await page.getByRole('heading', { name: 'Recent tasks' }).isVisible()).toBe(true);
        expect(await page.locator('#recent-tasks + table tbody tr').count()).toBe(4);
        await page.screenshot({ path: join(screenshots, `history-dashboard-${suffix}.png`), fullPage: true });

        await page.goto(`${served.origin}/tasks`);
        await page.waitForFunction(
          "[...document.querySelectorAll('img.thumb')].every((img) => img.complete && img.naturalWidth > 0)",
        );
        expect(await fitsTheScreen(page)).toBe(true);
        const main = (await page.getByRole('main').textContent()) ?? '';
        for (const text of [
          'Remove background · cut-out, transparent',
          'Upscale 4× (slim)',
          'Remove background · cut-out, on #ffffff, trimmed to subject',
          'Remove background · mask only',
          'horse in the paddock.png',
          'API key “CI pipeline”',
          'CLI (key “CI pipeline”)',
          'Studio',
          'No subject was found.',
          'from task',
        ]) {
          expect(main).toContain(text);
        }
        // The status is in words, on a coloured badge.
        expect(await page.locator('.badge.failed').textContent()).toBe('Failed');
        expect(await page.locator('.badge.done').count()).toBe(2);
        // A near-black cut-out stays visible on the dark page: its thumbnail sits on a light checkerboard.
        expect(await luminanceOf(page, 'img.thumb')).toBeGreaterThan(120);
        // Every download link and filter control can be reached and used.
        for (const control of await page.locator('main a:visible, main select:visible, main button:visible').all()) {
          await control.click({ trial: true, timeout: 5_000 });
        }
        await page.screenshot({ path: join(screenshots, `history-tasks-${suffix}.png`), fullPage: true });

        // Filters are a plain GET form.
        await page.getByLabel('Source').selectOption('studio');
        await page.getByRole('button', { name: 'Filter' }).click();
        await page.waitForURL(/\/tasks\?(.*&)?source=studio/);
        expect(await page.locator('table.history tbody tr').count()).toBe(2);
        expect(await page.getByRole('link', { name: 'Clear filters' }).isVisible()).toBe(true);

        // A click on a task opens its page with the larger before/after view.
        await page.getByRole('link', { name: 'Upscale 4× (slim)' }).first().click();
        await page.waitForURL(`${served.origin}/tasks/${chainedTaskId}`);
        await page.waitForFunction(
          "[...document.querySelectorAll('img.checker')].length === 2 && [...document.querySelectorAll('img.checker')].every((img) => img.complete && img.naturalWidth > 0)",
        );
        expect(await fitsTheScreen(page)).toBe(true);
        const after = await page.getByRole('img', { name: /^Result of Upscale/ }).boundingBox();
        expect(after?.width ?? 0).toBeGreaterThan(width === 375 ? 300 : 400);
        expect(await page.getByRole('link', { name: /…/ }).count()).toBeGreaterThan(0); // "from task …"
        await page.screenshot({ path: join(screenshots, `history-task-${suffix}.png`), fullPage: true });
        await context.close();
      });
    }
  }
});
