import { Capabilities, ErrorBody, SubmitTaskResponse, TaskView, thumbnailMaxSidePx } from '@lumina/shared';
import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tasks } from '../backend/src/db/schema.ts';
import { purgeExpiredTasks } from '../backend/src/services/tasks/purge-expired-tasks.ts';
import { fixture, processForm, type TestBackend } from '../backend/test/support/harness.ts';
import { type Slice, settledTask, startSlice, submit } from './support/slice.ts';

// The way out of a result: other encodings and thumbnails made once and kept, identical submits answered from
// the stored result, and retention deleting expired tasks with every object they left. The real API,
// PostgreSQL (a database of this file's own, so the retention job sees only these tasks), BullMQ on Redis and
// the gpu-worker running ISNet on CPU.
let slice: Slice;
let t: TestBackend;

beforeAll(async () => {
  slice = await startSlice({}, { ownDatabase: true });
  t = slice.t;
});
afterAll(async () => {
  await slice?.close();
});

/** GET of a signed URL (path and query only: the app answers in process), with extra query and headers. */
const fetchSigned = (url: string | null, extraQuery = '', headers: Record<string, string> = {}) => {
  if (!url) throw new Error('a completed task has its URLs');
  const { pathname, search } = new URL(url);
  return t.request(`${pathname}${search}${extraQuery}`, { headers });
};

const bytesOf = async (res: Response) => Buffer.from(await res.arrayBuffer());

/** Decoded RGBA pixels, to compare two encodings of one image. */
const pixelsOf = (image: Buffer): Promise<Buffer> => sharp(image).ensureAlpha().raw().toBuffer();

/**
 * True when two images show the same pixels: equal alpha everywhere and equal colour wherever anything is
 * visible (lossless WebP may drop the colour under fully transparent pixels, which nobody can see).
 */
async function samePixels(a: Buffer, b: Buffer): Promise<boolean> {
  const [pa, pb] = await Promise.all([pixelsOf(a), pixelsOf(b)]);
  if (pa.length !== pb.length) return false;
  for (let i = 0; i < pa.length; i += 4) {
    if (pa[i + 3] !== pb[i + 3]) return false;
    if (pa[i + 3] !== 0 && (pa[i] !== pb[i] || pa[i + 1] !== pb[i + 1] || pa[i + 2] !== pb[i + 2])) return false;
  }
  return true;
}

/** A completed remove-background task of a new team on `chelsea.png`, as PNG. */
async function completedTask(credits = 5) {
  const team = await t.newTeam(credits);
  const done = await settledTask(t, await submit(t, team.auth, fixture('chelsea.png')), team.auth);
  expect(done.error).toBeUndefined();
  expect(done.status).toBe('COMPLETED');
  return { team, done };
}

describe('result variants and thumbnails', () => {
  it('serves one result as png, webp and avif by format and by Accept, with the same pixel size', async () => {
    const { done } = await completedTask();
    const stored = await fetchSigned(done.resultUrl);
    expect(stored.status).toBe(200);
    expect(stored.headers.get('content-type')).toBe('image/png');
    expect(stored.headers.get('vary')).toBe('Accept');
    const png = await bytesOf(stored);
    expect(done.result?.bytes).toBe(png.byteLength);
    const size = { width: done.result?.width, height: done.result?.height };

    for (const [format, sharpName] of [
      ['webp', 'webp'],
      ['avif', 'heif'],
      ['png', 'png'],
    ] as const) {
      const res = await fetchSigned(done.resultUrl, `&format=${format}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(`image/${format}`);
      const meta = await sharp(await bytesOf(res)).metadata();
      expect({ format: meta.format, width: meta.width, height: meta.height }).toEqual({ format: sharpName, ...size });
    }
    // WebP variants are lossless: the very same visible pixels.
    const webp = await bytesOf(await fetchSigned(done.resultUrl, '&format=webp'));
    expect(await samePixels(webp, png)).toBe(true);

    const byAccept = async (accept: string) =>
      (await fetchSigned(done.resultUrl, '', { accept })).headers.get('content-type');
    expect(await byAccept('image/avif,image/webp,image/apng,*/*;q=0.8')).toBe('image/avif');
    expect(await byAccept('image/webp,*/*')).toBe('image/webp');
    expect(await byAccept('image/avif;q=0, image/webp;q=0.9')).toBe('image/webp');
    expect(await byAccept('*/*')).toBe('image/png');
    // An explicit format wins over Accept.
    expect(
      (await fetchSigned(done.resultUrl, '&format=png', { accept: 'image/avif' })).headers.get('content-type'),
    ).toBe('image/png');

    const refused = await fetchSigned(done.resultUrl, '&format=gif');
    expect(refused.status).toBe(400);
    expect(ErrorBody.parse(await refused.json()).error.code).toBe('invalid_request');
  });

  it('makes each variant once and serves the kept copy afterwards', async () => {
    const { done } = await completedTask();
    const store = t.backend.ctx.store;
    const key = `variants/${done.taskId}.webp`;
    expect(await store.get(key)).toBeNull();
    const first = await bytesOf(await fetchSigned(done.resultUrl, '&format=webp'));
    const kept = await store.get(key);
    expect(kept?.contentType).toBe('image/webp');
    expect(Buffer.from(kept?.body ?? []).equals(first)).toBe(true);

    // Replace the kept copy with a recognisable image: the next answer is that object, not a new encoding.
    const marker = await sharp({ create: { width: 3, height: 2, channels: 4, background: '#ff0000ff' } })
      .webp({ lossless: true })
      .toBuffer();
    await store.put(key, marker, 'image/webp');
    expect((await bytesOf(await fetchSigned(done.resultUrl, '&format=webp'))).equals(marker)).toBe(true);
    // The stored format never makes a variant.
    await fetchSigned(done.resultUrl, '&format=png');
    expect(await store.get(`variants/${done.taskId}.png`)).toBeNull();
  });

  it('gives a completed task a WebP thumbnail of at most 256 px a side, made on first request and kept', async () => {
    const { done } = await completedTask();
    expect(done.thumbnailUrl).toMatch(new RegExp(`/files/thumbnails/${done.taskId}\\.webp\\?`));
    const res = await fetchSigned(done.thumbnailUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/webp');
    const thumb = await bytesOf(res);
    const meta = await sharp(thumb).metadata();
    expect(meta.format).toBe('webp');
    expect(Math.max(meta.width, meta.height)).toBe(thumbnailMaxSidePx);
    expect(meta.hasAlpha).toBe(true);
    // The aspect ratio of the result is kept (451×300 → 256×170).
    const ratio = (done.result?.width ?? 0) / (done.result?.height ?? 1);
    expect(Math.abs(meta.width / meta.height - ratio)).toBeLessThan(0.02);
    const kept = await t.backend.ctx.store.get(`thumbnails/${done.taskId}.webp`);
    expect(Buffer.from(kept?.body ?? []).equals(thumb)).toBe(true);
  });
});

describe('identical work is not done twice', () => {
  it('states the charging rule in the capabilities', async () => {
    const capabilities = Capabilities.parse(await (await t.request('/api/v1/capabilities')).json());
    expect(capabilities.duplicates.credits).toBe(0);
    expect(capabilities.retention).toEqual({ days: 30 });
  });

  it('answers a repeated submit at once with a completed copy, free, without queueing a job', async () => {
    const { team, done } = await completedTask(5);
    expect(await t.team(team.teamId)).toEqual({ balance: 4, reserved: 0 });
    const ledgerBefore = await t.ledger(team.teamId);

    const res = await t.request('/api/v1/process', {
      method: 'POST',
      headers: team.auth,
      body: processForm(fixture('chelsea.png')),
    });
    expect(res.status).toBe(202);
    expect(res.headers.get('x-credits-charged')).toBe('0');
    expect(res.headers.get('x-credits-remaining')).toBe('4');
    const answer = SubmitTaskResponse.parse(await res.json());
    expect(answer.status).toBe('COMPLETED');
    expect(answer.taskId).not.toBe(done.taskId);

    const copy = TaskView.parse(
      await (await t.request(`/api/v1/tasks/${answer.taskId}`, { headers: team.auth })).json(),
    );
    expect(copy).toMatchObject({ status: 'COMPLETED', creditsReserved: 0, creditsDeducted: 0, result: done.result });
    // Same bytes, from the very object the original stored: a duplicate refers to it rather than copying it.
    const original = await bytesOf(await fetchSigned(done.resultUrl));
    const copied = await bytesOf(await fetchSigned(copy.resultUrl));
    expect(await samePixels(copied, original)).toBe(true);
    expect(copied.equals(original)).toBe(true);
    const sourceRow = await t.taskRow(done.taskId);
    expect(await t.taskRow(answer.taskId)).toMatchObject({
      outputKey: sourceRow?.outputKey,
      inputKey: sourceRow?.inputKey,
    });

    // No job for the copy ever reached the queue (the original's completed job is still kept there).
    expect((await t.backend.ctx.queue.snapshot(done.taskId, 'gpu')).state).toBe('completed');
    expect((await t.backend.ctx.queue.snapshot(answer.taskId, 'gpu')).state).toBe('missing');
    expect((await t.taskRow(answer.taskId))?.enqueueCount).toBe(0);
    // Nothing charged and no ledger row written.
    expect(await t.team(team.teamId)).toEqual({ balance: 4, reserved: 0 });
    expect(await t.ledger(team.teamId)).toEqual(ledgerBefore);
  });

  it('runs a real new task for other parameters, other bytes or another team', async () => {
    const { team } = await completedTask(5);
    const otherFormat = await submit(t, team.auth, fixture('chelsea.png'), { format: 'webp' });
    const otherBytes = await submit(t, team.auth, fixture('horse.png'));
    const otherTeam = await t.newTeam(5);
    const elsewhere = await submit(t, otherTeam.auth, fixture('chelsea.png'));
    for (const [taskId, auth] of [
      [otherFormat, team.auth],
      [otherBytes, team.auth],
      [elsewhere, otherTeam.auth],
    ] as const) {
      const view = await settledTask(t, taskId, auth);
      expect(view).toMatchObject({ status: 'COMPLETED', creditsDeducted: 1 });
      expect((await t.taskRow(taskId))?.enqueueCount).toBe(1);
      expect((await t.backend.ctx.queue.snapshot(taskId, 'gpu')).state).toBe('completed');
    }
    expect(await t.team(team.teamId)).toEqual({ balance: 2, reserved: 0 });
  });

  it('keeps Idempotency-Key replays answering with their own task', async () => {
    const { team } = await completedTask(5);
    const send = () =>
      t.request('/api/v1/process', {
        method: 'POST',
        headers: { ...team.auth, 'idempotency-key': 'pipeline-1' },
        body: processForm(fixture('chelsea.png')),
      });
    const first = await send();
    const firstTask = SubmitTaskResponse.parse(await first.json());
    expect(firstTask.status).toBe('COMPLETED');
    const again = await send();
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(SubmitTaskResponse.parse(await again.json()).taskId).toBe(firstTask.taskId);
  });
});

describe('retention', () => {
  it('dates every settled task and deletes an expired one with all its objects, keeping the ledger', async () => {
    const { team, done } = await completedTask(5);
    // 30 days (RETENTION_DAYS) after it finished.
    expect(Date.parse(done.expiresAt ?? '') - Date.parse(done.finishedAt ?? '')).toBe(30 * 86_400_000);
    // Every object the task can have, made: the input, the result, a variant and the thumbnail.
    await fetchSigned(done.resultUrl, '&format=avif');
    await fetchSigned(done.thumbnailUrl);
    const row = await t.taskRow(done.taskId);
    const keys = [
      row?.inputKey ?? '',
      row?.outputKey ?? '',
      `variants/${done.taskId}.avif`,
      `thumbnails/${done.taskId}.webp`,
    ];
    const store = t.backend.ctx.store;
    for (const key of keys) expect(await store.get(key), key).not.toBeNull();
    const keeper = await completedTask(5);

    await t.backend.ctx.db
      .update(tasks)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(tasks.id, done.taskId));
    // Past its expiry the link answers the stable code at once, before the job has run.
    const early = await fetchSigned(done.resultUrl);
    expect(early.status).toBe(410);
    expect(ErrorBody.parse(await early.json()).error.code).toBe('result_expired');
    // And an expired result is not reused for an identical submit: the work is done again.
    const redo = await submit(t, team.auth, fixture('chelsea.png'));
    expect((await t.taskRow(redo))?.enqueueCount).toBe(1);
    await settledTask(t, redo, team.auth);

    expect(await purgeExpiredTasks({ ctx: t.backend.ctx })).toEqual({ deleted: 1 });
    expect(await t.taskRow(done.taskId)).toBeUndefined();
    for (const key of keys) expect(await store.get(key), key).toBeNull();
    for (const url of [done.resultUrl, done.thumbnailUrl]) {
      const gone = await fetchSigned(url);
      expect(gone.status).toBe(410);
      expect(ErrorBody.parse(await gone.json()).error.code).toBe('result_expired');
    }
    const tasksView = await t.request(`/api/v1/tasks/${done.taskId}`, { headers: team.auth });
    expect(tasksView.status).toBe(404);

    // The ledger keeps its rows, detached from the deleted task, and still adds up to the balance.
    const ledger = await t.ledger(team.teamId);
    expect(ledger.map((entry) => [entry.kind, entry.taskId === null])).toEqual([
      ['grant', true],
      ['reserve', true],
      ['capture', true],
      ['reserve', false],
      ['capture', false],
    ]);
    const balance = await t.team(team.teamId);
    expect(balance).toEqual({ balance: 3, reserved: 0 });
    expect(ledger.reduce((sum, entry) => sum + entry.balanceDelta, 0)).toBe(balance.balance);
    expect(ledger.reduce((sum, entry) => sum + entry.reservedDelta, 0)).toBe(balance.reserved);

    // A second run finds nothing; a task that has not expired is untouched.
    expect(await purgeExpiredTasks({ ctx: t.backend.ctx })).toEqual({ deleted: 0 });
    expect((await fetchSigned(keeper.done.resultUrl)).status).toBe(200);
  });

  it('deletes in batches and lets two jobs run side by side without deleting anything twice', async () => {
    const finished = await Promise.all([completedTask(), completedTask(), completedTask()]);
    const ids = finished.map(({ done }) => done.taskId);
    for (const id of ids) {
      await t.backend.ctx.db
        .update(tasks)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where(eq(tasks.id, id));
    }
    // A batch of one: every task takes its own transaction, and two jobs share the three between them.
    const ctx = { ...t.backend.ctx, config: { ...t.config, retention: { ...t.config.retention, batchSize: 1 } } };
    const runs = await Promise.all([purgeExpiredTasks({ ctx }), purgeExpiredTasks({ ctx })]);
    expect(runs.reduce((sum, run) => sum + run.deleted, 0)).toBe(3);
    for (const id of ids) expect(await t.taskRow(id)).toBeUndefined();
  });
});
