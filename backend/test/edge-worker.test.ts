import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Capabilities, CheckoutResponse, ErrorBody, SubmitTaskResponse, TaskList, TaskView } from '@lumina/shared';
import { eq } from 'drizzle-orm';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tasks } from '../src/db/schema.ts';
import { thumbnailKeyOf, variantKeyOf } from '../src/services/tasks/result-keys.ts';
import { type Browser, dashboardJson, signUpBrowser } from './support/accounts.ts';
import { completeAsWorker } from './support/complete-task.ts';
import { fixture, processForm, startTestBackend, type TestBackend } from './support/harness.ts';
import { type StripeStandIn, startStripeStandIn } from './support/stripe-stand-in.ts';

// The edge worker bundled the way wrangler bundles it and run in workerd (Cloudflare's runtime, through
// Miniflare) with an R2 bucket binding, in front of the real backend served on a loopback port.
const repoRoot = join(import.meta.dirname, '../..');
const edgeEntry = join(repoRoot, 'backend/src/edge/edge-app.ts');
const compatibilityDate = readFileSync(join(repoRoot, 'wrangler.toml'), 'utf8').match(
  /^compatibility_date\s*=\s*"([^"]+)"/m,
)?.[1];

let stripe: StripeStandIn;
let t: TestBackend;
let origin: ReturnType<typeof serve>;
let mf: Miniflare;
/** Every path+query the origin was asked for, to tell what the edge answered alone. */
const originSaw: string[] = [];
/** The request id each of those arrived with. */
const originRequestIds: Array<string | null> = [];

beforeAll(async () => {
  stripe = await startStripeStandIn();
  // Billing on, so teams have plans and the free plan's watermark applies.
  t = await startTestBackend({ ...stripe.env }, { background: false });
  stripe.webhookTarget = t.request;
  origin = serve({
    fetch: (request, env) => {
      const url = new URL(request.url);
      originSaw.push(url.pathname + url.search);
      originRequestIds.push(request.headers.get('x-request-id'));
      return t.backend.app.fetch(request, env);
    },
    port: 0,
    hostname: '127.0.0.1',
  });
  await new Promise<void>((resolve) => origin.once('listening', () => resolve()));

  const bundle = await build({
    entryPoints: [edgeEntry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    write: false,
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]?.text;
  if (!script || !compatibilityDate) throw new Error('no edge bundle or no compatibility_date in wrangler.toml');
  mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate,
    r2Buckets: ['RESULTS'],
    bindings: {
      LUMINA_ORIGIN: `http://127.0.0.1:${(origin.address() as AddressInfo).port}`,
      LUMINA_SIGNING_SECRET: t.env.LUMINA_SIGNING_SECRET ?? '',
    },
  });
});
afterAll(async () => {
  await mf?.dispose();
  origin?.close();
  await t?.close();
  await stripe?.close();
});

/** A request to the edge worker for the path and query of `url` (links name PUBLIC_BASE_URL's host). */
const atEdge = (url: string | URL, init?: { headers?: Record<string, string> }) => {
  const { pathname, search } = new URL(url, 'http://lumina.test');
  return mf.dispatchFetch(`http://edge.lumina.test${pathname}${search}`, init);
};

/** The R2 method the tests use; Miniflare types its bindings with @cloudflare/workers-types, not installed here. */
interface TestBucket {
  put(key: string, value: Uint8Array, options: { httpMetadata: { contentType: string } }): Promise<unknown>;
}
/** Writes `bytes` into the edge's R2 bucket (copied out of Node's pooled Buffer memory, which Miniflare refuses). */
const putInR2 = async (key: string, bytes: Uint8Array, contentType: string) => {
  const bucket = (await mf.getR2Bucket('RESULTS')) as unknown as TestBucket;
  await bucket.put(key, new Uint8Array(bytes), { httpMetadata: { contentType } });
};

/** What the origin was asked for since `mark` (an index into `originSaw`). */
const originRequestsSince = (mark: number) => originSaw.slice(mark);

async function buyStarterPack(browser: Browser) {
  const res = await t.request('/api/v1/billing/checkout', dashboardJson(browser, 'POST', { packId: 'starter' }));
  const { url } = CheckoutResponse.parse(await res.json());
  expect((await fetch(url, { method: 'POST', redirect: 'manual' })).status).toBe(303);
}

/**
 * A completed remove-background task of `browser`'s team whose stored result is `stored`, written where the
 * origin reads it and into the edge's R2 bucket (in production both are the same bucket: the origin reaches R2
 * through its S3 API) unless `inR2` is false. Returns the task as the API shows it to its owner.
 */
async function completedTask(browser: Browser, stored: Buffer, options: { inR2?: boolean } = {}) {
  const res = await t.request('/api/v1/process', {
    method: 'POST',
    headers: browser.headers(),
    body: processForm(fixture('horse.png')),
  });
  expect(res.status, await res.clone().text()).toBe(202);
  const { taskId } = SubmitTaskResponse.parse(await res.json());
  const row = await completeAsWorker(t, taskId, stored);
  if (options.inR2 !== false) await putInR2(row.outputKey, stored, 'image/png');
  const view = await t.request(`/api/v1/tasks/${taskId}`, { headers: browser.headers() });
  expect(view.status).toBe(200);
  const task = TaskView.parse(await view.json());
  if (!task.resultUrl) throw new Error('a completed task without a result URL');
  return { ...task, resultUrl: new URL(task.resultUrl), outputKey: row.outputKey, owner: browser };
}

/** `max-age` is the link's remaining life: never longer, so no cache answers once the link (or the task) expired. */
function expectCachedUntilLinkExpires(res: { headers: { get(name: string): string | null } }, link: URL) {
  const match = /^public, max-age=(\d+), immutable$/.exec(res.headers.get('cache-control') ?? '');
  expect(match, res.headers.get('cache-control') ?? 'no Cache-Control').not.toBeNull();
  const maxAge = Number(match?.[1]);
  const linkLeft = Number(link.searchParams.get('expires')) - Math.floor(Date.now() / 1000);
  expect(maxAge).toBeGreaterThan(0);
  expect(maxAge).toBeLessThanOrEqual(linkLeft + 1);
}

const freeTeam = () => signUpBrowser(t, 'Free');
const paidTeam = async () => {
  const owner = await signUpBrowser(t, 'Paid');
  await buyStarterPack(owner);
  return owner;
};

describe('signed result links from the origin', () => {
  it("sign wm=1 into a free team's result links and not into a paid team's, and the origin serves both", async () => {
    const stored = fixture('horse.png');
    const free = await completedTask(await freeTeam(), stored);
    const paid = await completedTask(await paidTeam(), stored);
    expect(free.resultUrl.searchParams.get('wm')).toBe('1');
    expect(paid.resultUrl.searchParams.has('wm')).toBe(false);
    expect(new URL(free.thumbnailUrl ?? '').searchParams.get('wm')).toBe('1');
    expect(new URL(paid.thumbnailUrl ?? '').searchParams.has('wm')).toBe(false);

    // The same links served by the origin itself: marked and clean, as the flag says.
    const marked = await t.request(free.resultUrl.pathname + free.resultUrl.search);
    expect(marked.status).toBe(200);
    expect(marked.headers.get('x-lumina-watermark')).toBe('free-plan');
    expect(Buffer.from(await marked.arrayBuffer()).equals(stored)).toBe(false);
    const clean = await t.request(paid.resultUrl.pathname + paid.resultUrl.search);
    expect(clean.status).toBe(200);
    expect(clean.headers.get('x-lumina-watermark')).toBe('none');
    expect(Buffer.from(await clean.arrayBuffer()).equals(stored)).toBe(true);

    // The history lists the same decision.
    const owner = await freeTeam();
    await completedTask(owner, stored);
    const list = await t.request('/api/v1/tasks', { headers: owner.headers() });
    const [listed] = TaskList.parse(await list.json()).data;
    expect(new URL(listed?.resultUrl ?? '').searchParams.get('wm')).toBe('1');
  });

  it("signs no link past the task's expiresAt, so no cache keeps a result retention is about to delete", async () => {
    const paid = await completedTask(await paidTeam(), fixture('horse.png'));
    const expiresAt = new Date(Date.now() + 90_000);
    await t.backend.ctx.db.update(tasks).set({ expiresAt }).where(eq(tasks.id, paid.taskId));
    const owner = paid.owner;
    const res = await t.request(`/api/v1/tasks/${paid.taskId}`, { headers: owner.headers() });
    const task = TaskView.parse(await res.json());
    const linkExpires = Number(new URL(task.resultUrl ?? '').searchParams.get('expires')) * 1000;
    expect(linkExpires).toBeLessThanOrEqual(expiresAt.getTime());
    expect(Date.parse(task.resultUrlExpiresAt ?? '')).toBeLessThanOrEqual(expiresAt.getTime());
    expect(Number(new URL(task.thumbnailUrl ?? '').searchParams.get('expires')) * 1000).toBeLessThanOrEqual(
      expiresAt.getTime(),
    );
  });
});

describe('the edge worker in workerd', () => {
  it("serves a paid team's result from R2, byte for byte, cached as immutable while its link lasts, without the origin", async () => {
    const stored = fixture('horse.png');
    const paid = await completedTask(await paidTeam(), stored);
    const mark = originSaw.length;

    const res = await atEdge(paid.resultUrl);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(stored)).toBe(true);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-length')).toBe(String(stored.byteLength));
    expectCachedUntilLinkExpires(res, paid.resultUrl);
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(res.headers.get('x-lumina-watermark')).toBe('none');
    const etag = res.headers.get('etag');
    expect(etag).toMatch(/^"[^"]+"$/);

    const again = await atEdge(paid.resultUrl, { headers: { 'if-none-match': etag ?? '' } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expectCachedUntilLinkExpires(again, paid.resultUrl);
    expect((await again.arrayBuffer()).byteLength).toBe(0);

    expect(originRequestsSince(mark)).toEqual([]);
  });

  it('refuses expired, tampered and unsigned links with 403 invalid_signature, without asking the origin', async () => {
    const stored = fixture('horse.png');
    const free = await completedTask(await freeTeam(), stored);
    const paid = await completedTask(await paidTeam(), stored);
    const mark = originSaw.length;

    const variant = (url: URL, change: (params: URLSearchParams) => void) => {
      const copy = new URL(url);
      change(copy.searchParams);
      return copy;
    };
    const expired = new URL(
      t.backend.ctx.signedUrls.sign(paid.outputKey, 60, { now: new Date(Date.now() - 120_000) }).url,
    );
    const refused = [
      expired,
      variant(paid.resultUrl, (p) => p.set('expires', String(Number(p.get('expires')) + 3600))),
      variant(paid.resultUrl, (p) => {
        const signature = p.get('signature') ?? '';
        p.set('signature', `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`);
      }),
      variant(paid.resultUrl, (p) => p.delete('signature')),
      // Dropping the free plan's flag must not turn a marked link into a clean one.
      variant(free.resultUrl, (p) => p.delete('wm')),
      variant(free.resultUrl, (p) => p.set('wm', '0')),
      // A valid signature on another key.
      new URL(paid.resultUrl.pathname.replace(/\.png$/, '.webp') + paid.resultUrl.search, paid.resultUrl),
    ];
    for (const url of refused) {
      const res = await atEdge(url);
      expect(res.status, url.search).toBe(403);
      const body = ErrorBody.parse(await res.json());
      expect(body.error.code).toBe('invalid_signature');
      expect(body.error.requestId).toMatch(/^req_[0-9a-f]{32}$/);
    }
    expect(originRequestsSince(mark)).toEqual([]);
  });

  it('forwards a wm=1 link to the origin, which answers the watermarked copy, even with the clean one in R2', async () => {
    const stored = fixture('horse.png');
    const free = await completedTask(await freeTeam(), stored);
    const mark = originSaw.length;

    const res = await atEdge(free.resultUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-lumina-watermark')).toBe('free-plan');
    expect(res.headers.get('cache-control')).toBe('private, no-cache');
    const marked = Buffer.from(await res.arrayBuffer());
    expect(marked.equals(stored)).toBe(false);
    const [before, after] = await Promise.all([sharp(stored).metadata(), sharp(marked).metadata()]);
    expect([after.format, after.width, after.height]).toEqual(['png', before.width, before.height]);
    expect(originRequestsSince(mark)).toEqual([free.resultUrl.pathname + free.resultUrl.search]);
  });

  it('answers the encoding Accept picks, and the thumbnail, from R2 once the origin made them, else asks the origin', async () => {
    const stored = fixture('horse.png');
    const paid = await completedTask(await paidTeam(), stored);
    const webp = await sharp(stored).webp({ lossless: true }).toBuffer();
    // Where the origin keeps the WebP it made (in production the same bucket).
    await putInR2(variantKeyOf(paid.taskId, 'webp'), webp, 'image/webp');
    const mark = originSaw.length;

    const res = await atEdge(paid.resultUrl, { headers: { accept: 'image/webp,*/*' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/webp');
    expect(res.headers.get('vary')).toBe('Accept');
    expect(Buffer.from(await res.arrayBuffer()).equals(webp)).toBe(true);
    expect(originRequestsSince(mark)).toEqual([]);

    // No AVIF made yet: the origin makes it (and would keep it in the shared bucket).
    const avif = await atEdge(paid.resultUrl, { headers: { accept: 'image/avif,image/webp,*/*' } });
    expect(avif.status).toBe(200);
    expect(avif.headers.get('content-type')).toBe('image/avif');
    expect((await sharp(Buffer.from(await avif.arrayBuffer())).metadata()).format).toBe('heif');
    expect(originRequestsSince(mark)).toEqual([paid.resultUrl.pathname + paid.resultUrl.search]);

    // The thumbnail the origin made, likewise.
    const thumbnail = await sharp(stored).resize(256, 256, { fit: 'inside' }).webp().toBuffer();
    await putInR2(thumbnailKeyOf(paid.taskId), thumbnail, 'image/webp');
    const thumb = await atEdge(paid.thumbnailUrl ?? '');
    expect(thumb.status).toBe(200);
    expectCachedUntilLinkExpires(thumb, new URL(paid.thumbnailUrl ?? ''));
    expect(Buffer.from(await thumb.arrayBuffer()).equals(thumbnail)).toBe(true);
    expect(originRequestsSince(mark)).toHaveLength(1);
  });

  it('asks the origin for a clean result R2 does not hold', async () => {
    const stored = fixture('horse.png');
    const paid = await completedTask(await paidTeam(), stored, { inR2: false });
    const mark = originSaw.length;
    const res = await atEdge(paid.resultUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-lumina-watermark')).toBe('none');
    expect(Buffer.from(await res.arrayBuffer()).equals(stored)).toBe(true);
    expect(originRequestsSince(mark)).toEqual([paid.resultUrl.pathname + paid.resultUrl.search]);
  });

  it('forwards the API to the origin with its own request id, and passes errors back unchanged', async () => {
    const mark = originSaw.length;
    const caps = await atEdge('/api/v1/capabilities');
    expect(caps.status).toBe(200);
    expect(Capabilities.parse(await caps.json()).operations[0]?.operation).toBe('remove-background');
    // The origin kept the id the edge gave the request, so both logs name the same one.
    expect(caps.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
    expect(originRequestIds[mark]).toBe(caps.headers.get('x-request-id'));

    const unauthorized = await atEdge('/api/v1/tasks', { headers: { authorization: 'Bearer nope' } });
    expect(unauthorized.status).toBe(401);
    expect(ErrorBody.parse(await unauthorized.json()).error.code).toBe('unauthorized');
    expect(originRequestsSince(mark)).toEqual(['/api/v1/capabilities', '/api/v1/tasks']);
  });
});
