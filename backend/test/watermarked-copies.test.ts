import { CheckoutResponse, ErrorBody, SubmitTaskResponse, TaskView } from '@lumina/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeExpiredTasks } from '../src/services/tasks/purge-expired-tasks.ts';
import { dashboardJson, signUpBrowser } from './support/accounts.ts';
import { completeAsWorker } from './support/complete-task.ts';
import { fixture, processForm, startTestBackend, type TestBackend } from './support/harness.ts';
import { type StripeStandIn, startStripeStandIn } from './support/stripe-stand-in.ts';

// Issue 13, item 1: a free team's result was watermarked again on every request, with no bound on the image work
// and no limit on `/files`. The marked copy is now made once per (task, format), kept like the variants and
// deleted with the task or when the team buys credits; image work is bounded; `/files` is limited per IP.
let stripe: StripeStandIn;
let t: TestBackend;

beforeAll(async () => {
  stripe = await startStripeStandIn();
  t = await startTestBackend(
    {
      ...stripe.env,
      // A request that finds the image work busy is refused at once, so the test needs no timing.
      IMAGE_WORK_MAX_WAIT_MS: '0',
      TRUST_PROXY: 'true',
      RATE_LIMIT_FILES_PER_MINUTE: '30',
    },
    { background: false, ownDatabase: true },
  );
  stripe.webhookTarget = t.request;
});
afterAll(async () => {
  await t?.close();
  await stripe?.close();
});

/** A fresh client address per test, so the `/files` limit of one test does not spend another's. */
let lastOctet = 0;
const clientAddress = () => ({ 'x-forwarded-for': `198.51.100.${++lastOctet}` });

async function freeResult() {
  const owner = await signUpBrowser(t);
  const res = await t.request('/api/v1/process', {
    method: 'POST',
    headers: owner.headers(),
    body: processForm(fixture('horse.png')),
  });
  expect(res.status).toBe(202);
  const { taskId } = SubmitTaskResponse.parse(await res.json());
  const stored = await sharp(fixture('chelsea.png')).ensureAlpha().png().toBuffer();
  await completeAsWorker(t, taskId, stored);
  const view = TaskView.parse(await (await t.request(`/api/v1/tasks/${taskId}`, { headers: owner.headers() })).json());
  const { pathname, search } = new URL(view.resultUrl ?? '');
  const thumbnail = new URL(view.thumbnailUrl ?? '');
  return {
    owner,
    taskId,
    view,
    resultPath: `${pathname}${search}`,
    thumbnailPath: thumbnail.pathname + thumbnail.search,
  };
}

const watermarked = (teamId: string) => t.backend.ctx.store.list(`watermarked/${teamId}/`);

describe('issue 13 item 1: watermarked results are made once and kept', () => {
  it('makes the watermarked copy once per (task, format), keeps it, and serves the kept copy afterwards', async () => {
    const { owner, taskId, resultPath, thumbnailPath } = await freeResult();
    const teamId = owner.personalTeamId;
    const headers = clientAddress();
    const first = await t.request(`${resultPath}&format=webp`, { headers });
    expect(first.status).toBe(200);
    expect(first.headers.get('x-lumina-watermark')).toBe('free-plan');
    const firstBytes = Buffer.from(await first.arrayBuffer());
    expect((await t.request(resultPath, { headers })).status).toBe(200);
    expect((await t.request(thumbnailPath, { headers })).status).toBe(200);
    expect(await watermarked(teamId)).toEqual([
      `watermarked/${teamId}/${taskId}.png`,
      `watermarked/${teamId}/${taskId}.thumbnail.webp`,
      `watermarked/${teamId}/${taskId}.webp`,
    ]);
    const kept = await t.backend.ctx.store.get(`watermarked/${teamId}/${taskId}.webp`);
    expect(Buffer.from(kept?.body ?? []).equals(firstBytes)).toBe(true);

    // Served from the kept copy, not marked again: replacing it shows in the answer.
    const replaced = await sharp(fixture('horse.png')).webp().toBuffer();
    await t.backend.ctx.store.put(`watermarked/${teamId}/${taskId}.webp`, replaced, 'image/webp');
    const again = await t.request(`${resultPath}&format=webp`, { headers });
    expect(Buffer.from(await again.arrayBuffer()).equals(replaced)).toBe(true);
  });

  it('deletes the watermarked copies when the team buys credits, and serves clean results from then on', async () => {
    const { owner, resultPath } = await freeResult();
    const headers = clientAddress();
    expect((await t.request(`${resultPath}&format=webp`, { headers })).status).toBe(200);
    expect(await watermarked(owner.personalTeamId)).toHaveLength(1);

    const checkout = await t.request('/api/v1/billing/checkout', dashboardJson(owner, 'POST', { packId: 'starter' }));
    const { url } = CheckoutResponse.parse(await checkout.json());
    expect((await fetch(url, { method: 'POST', redirect: 'manual' })).status).toBe(303);

    expect(await watermarked(owner.personalTeamId)).toEqual([]);
    const clean = await t.request(`${resultPath}&format=webp`, { headers });
    expect(clean.headers.get('x-lumina-watermark')).toBe('none');
  });

  it('deletes the watermarked copies with their task when the task expires', async () => {
    const { owner, view, resultPath, thumbnailPath } = await freeResult();
    const headers = clientAddress();
    expect((await t.request(`${resultPath}&format=avif`, { headers })).status).toBe(200);
    expect((await t.request(thumbnailPath, { headers })).status).toBe(200);
    expect(await watermarked(owner.personalTeamId)).toHaveLength(2);

    const afterExpiry = new Date(Date.parse(view.expiresAt ?? '') + 1000);
    expect((await purgeExpiredTasks({ ctx: t.backend.ctx, input: { now: afterExpiry } })).deleted).toBeGreaterThan(0);
    expect(await watermarked(owner.personalTeamId)).toEqual([]);
  });
});

describe('issue 13 item 1: image work in the API process is bounded', () => {
  it('answers 503 with Retry-After while the image work is full, and serves once there is room', async () => {
    const { resultPath } = await freeResult();
    const headers = clientAddress();
    let release = () => {};
    const held = new Promise<Uint8Array>((resolve) => {
      release = () => resolve(new Uint8Array());
    });
    // Other work holding the whole bound (a 64 MP image, say).
    const holding = t.backend.ctx.imageWork.run('test/holding', t.config.imageWork.maxPixels, () => held);

    const busy = await t.request(`${resultPath}&format=webp`, { headers });
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('1');
    expect(ErrorBody.parse(await busy.json()).error.code).toBe('unavailable');

    release();
    await holding;
    expect((await t.request(`${resultPath}&format=webp`, { headers })).status).toBe(200);
  });
});

describe('issue 13 item 1: /files is rate-limited per client IP', () => {
  it('answers 429 past RATE_LIMIT_FILES_PER_MINUTE from one address while another address is served', async () => {
    const { resultPath } = await freeResult();
    const crowded = clientAddress();
    for (let i = 0; i < 30; i++) expect((await t.request(resultPath, { headers: crowded })).status).toBe(200);
    const refused = await t.request(resultPath, { headers: crowded });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(ErrorBody.parse(await refused.json()).error.code).toBe('rate_limited');
    expect((await t.request(resultPath, { headers: clientAddress() })).status).toBe(200);
  });
});
