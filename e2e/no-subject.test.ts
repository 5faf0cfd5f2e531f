import { type GpuWorker, loadWorkerConfig, silentLogger, startGpuWorker } from '@lumina/gpu-worker';
import { HealthResponse } from '@lumina/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBackend } from '../backend/test/support/harness.ts';
import { type Slice, settledTask, startSlice, submit } from './support/slice.ts';

// An image the model finds nothing in, from upload to a refunded failure, and /readyz reporting the workers
// from their heartbeats: the real API, PostgreSQL, BullMQ on Redis, and a gpu-worker running ISNet on CPU.
let slice: Slice;
let t: TestBackend;
let worker: GpuWorker;

beforeAll(async () => {
  slice = await startSlice();
  ({ t, worker } = slice);
});
afterAll(async () => {
  await slice?.close();
});

const readyz = async () => {
  const res = await t.request('/readyz');
  return { status: res.status, body: HealthResponse.parse(await res.json()) };
};

describe('remove-background without a subject', () => {
  it('fails a uniform grey image as no_subject and gives the reserved credit back', async () => {
    const team = await t.newTeam(3);
    const grey = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    const taskId = await submit(t, team.auth, grey);
    const done = await settledTask(t, taskId, team.auth);
    expect(done).toMatchObject({ status: 'FAILED', creditsDeducted: 0, resultUrl: null });
    expect(done.error?.code).toBe('no_subject');
    // Unrecoverable: one attempt, no retries of an image that will never have a subject.
    expect((await t.backend.ctx.queue.snapshot(taskId, 'gpu')).attemptsMade).toBe(1);

    expect(await t.team(team.teamId)).toEqual({ balance: 3, reserved: 0 });
    expect((await t.ledger(team.teamId)).map((row) => row.kind)).toEqual(['grant', 'reserve', 'release']);
  });
});

describe('/readyz and the workers', () => {
  it('lists the running gpu-worker with its model and execution provider, and drops it once closed', async () => {
    const live = await readyz();
    expect(live.status).toBe(200);
    expect(live.body.workers).toEqual([
      expect.objectContaining({
        workerId: worker.workerId,
        model: worker.model,
        executionProvider: worker.executionProvider,
        concurrency: 4,
      }),
    ]);
    expect(live.body.checks?.workers).toEqual({ ok: true });

    const second = await startGpuWorker({
      config: loadWorkerConfig(t.env),
      store: t.backend.ctx.store,
      log: silentLogger,
    });
    await second.ready;
    expect((await readyz()).body.workers?.map((w) => w.workerId).sort()).toEqual(
      [worker.workerId, second.workerId].sort(),
    );
    await second.close();
    // Closing removes the heartbeat at once rather than waiting for its TTL.
    const after = await readyz();
    expect(after.status).toBe(200);
    expect(after.body.workers?.map((w) => w.workerId)).toEqual([worker.workerId]);
  });
});
