import { Capabilities, CheckoutResponse, SubmitTaskResponse, TaskView } from '@lumina/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, dashboardJson, signUpBrowser } from './support/accounts.ts';
import { completeAsWorker, cutoutPng } from './support/complete-task.ts';
import { fixture, processForm, startTestBackend, type TestBackend } from './support/harness.ts';
import { type StripeStandIn, startStripeStandIn } from './support/stripe-stand-in.ts';

// Where plans apply (billing on): free teams keep results for RETENTION_DAYS_FREE, paid teams for RETENTION_DAYS,
// and the free plan's watermark is drawn on variants and thumbnails as they are served, never on the kept copies.
let stripe: StripeStandIn;
let t: TestBackend;

beforeAll(async () => {
  stripe = await startStripeStandIn();
  t = await startTestBackend({ ...stripe.env, RETENTION_DAYS: '30', RETENTION_DAYS_FREE: '7' }, { background: false });
  stripe.webhookTarget = t.request;
});
afterAll(async () => {
  await t?.close();
  await stripe?.close();
});

const day = 86_400_000;

/** Submits `image` and settles the task with what the worker would have stored: a 64×48 cut-out. */
async function completedTask(browser: Browser, image: Buffer) {
  const res = await t.request('/api/v1/process', {
    method: 'POST',
    headers: browser.headers(),
    body: processForm(image),
  });
  expect(res.status).toBe(202);
  const { taskId } = SubmitTaskResponse.parse(await res.json());
  const stored = await cutoutPng();
  await completeAsWorker(t, taskId, stored);
  const view = TaskView.parse(
    await (await t.request(`/api/v1/tasks/${taskId}`, { headers: browser.headers() })).json(),
  );
  return { view, stored };
}

const get = (url: string | null, extraQuery = '') => {
  const { pathname, search } = new URL(url ?? '');
  return t.request(`${pathname}${search}${extraQuery}`);
};

async function buyStarterPack(browser: Browser) {
  const res = await t.request('/api/v1/billing/checkout', dashboardJson(browser, 'POST', { packId: 'starter' }));
  const { url } = CheckoutResponse.parse(await res.json());
  expect((await fetch(url, { method: 'POST', redirect: 'manual' })).status).toBe(303);
}

describe('retention and variants by plan', () => {
  it('lists both retention periods in the capabilities', async () => {
    const capabilities = Capabilities.parse(await (await t.request('/api/v1/capabilities')).json());
    expect(capabilities.retention).toEqual({ days: 30, freePlanDays: 7 });
  });

  it("keeps a free team's result 7 days and a paid team's 30, and marks only the served copies", async () => {
    const owner = await signUpBrowser(t);
    const free = await completedTask(owner, fixture('horse.png'));
    expect(Date.parse(free.view.expiresAt ?? '') - Date.parse(free.view.finishedAt ?? '')).toBe(7 * day);

    const variant = await get(free.view.resultUrl, '&format=webp');
    expect(variant.status).toBe(200);
    expect(variant.headers.get('content-type')).toBe('image/webp');
    expect(variant.headers.get('x-lumina-watermark')).toBe('free-plan');
    expect(variant.headers.get('cache-control')).toBe('private, no-cache');
    const served = Buffer.from(await variant.arrayBuffer());
    // The served copy carries the mark and is kept as it was served; the stored result stays clean.
    const teamId = owner.personalTeamId;
    const keptMarked = await t.backend.ctx.store.get(`watermarked/${teamId}/${free.view.taskId}.webp`);
    expect(Buffer.from(keptMarked?.body ?? []).equals(served)).toBe(true);
    const raw = (image: Buffer) => sharp(image).ensureAlpha().raw().toBuffer();
    expect((await raw(served)).equals(await raw(free.stored))).toBe(false);

    const thumbnail = await get(free.view.thumbnailUrl);
    expect(thumbnail.headers.get('x-lumina-watermark')).toBe('free-plan');
    const keptThumbnail = await t.backend.ctx.store.get(`thumbnails/${free.view.taskId}.webp`);
    expect(Buffer.from(keptThumbnail?.body ?? []).equals(Buffer.from(await thumbnail.arrayBuffer()))).toBe(false);

    await buyStarterPack(owner);
    const paid = await completedTask(owner, fixture('coffee.png'));
    expect(Date.parse(paid.view.expiresAt ?? '') - Date.parse(paid.view.finishedAt ?? '')).toBe(30 * day);
    // Once paid, the same variant link serves a clean variant (the stored pixels, losslessly), kept from then on.
    const clean = await get(free.view.resultUrl, '&format=webp');
    expect(clean.headers.get('x-lumina-watermark')).toBe('none');
    const cleanBytes = Buffer.from(await clean.arrayBuffer());
    expect((await raw(cleanBytes)).equals(await raw(free.stored))).toBe(true);
    const kept = Buffer.from((await t.backend.ctx.store.get(`variants/${free.view.taskId}.webp`))?.body ?? []);
    expect(cleanBytes.equals(kept)).toBe(true);
  });
});
