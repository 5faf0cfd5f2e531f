import { type GpuWorker, loadWorkerConfig, silentLogger, startGpuWorker } from '@lumina/gpu-worker';
import { SubmitTaskResponse } from '@lumina/shared';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  fixture,
  processForm,
  startTestBackend,
  type TestBackend,
} from '../backend/test/support/harness.ts';

// This file owns Redis database 10 and a database of its own, so it can flush Redis and run the reconciler
// without touching other tests' tasks.
const redisUrl = 'redis://127.0.0.1:6379/10';
let t: TestBackend;
let redis: Redis;
let worker: GpuWorker | undefined;

beforeAll(async () => {
  t = await startTestBackend(
    { REDIS_URL: redisUrl, RECONCILE_INTERVAL_MS: '500', RECONCILE_GRACE_MS: '0' },
    { ownDatabase: true },
  );
  redis = new Redis(redisUrl);
});
afterAll(async () => {
  await worker?.close();
  await t?.close();
  redis?.disconnect();
});

describe('Redis flushed while tasks are queued', () => {
  it('the reconciler brings every task to an end, each charged once', async () => {
    const team = await t.newTeam(3);
    const ids: string[] = [];
    for (const name of ['horse.png', 'home.jpg', 'smarties.png']) {
      const res = await t.request('/api/v1/process', {
        method: 'POST',
        headers: team.auth,
        body: processForm(fixture(name)),
      });
      ids.push(SubmitTaskResponse.parse(await res.json()).taskId);
    }
    await redis.flushdb();

    worker = await startGpuWorker({ config: loadWorkerConfig(t.env), store: t.backend.ctx.store, log: silentLogger });
    await worker.ready;
    for (const id of ids) {
      const row = await eventually(async () => {
        const task = await t.taskRow(id);
        return task?.status === 'COMPLETED' || task?.status === 'FAILED' ? task : undefined;
      }, 120_000);
      expect(row.status).toBe('COMPLETED');
      expect(row.enqueueCount).toBeGreaterThanOrEqual(2);
    }
    const ledger = await t.ledger(team.teamId);
    expect(ledger.filter((row) => row.kind === 'capture')).toHaveLength(3);
    expect(ledger.filter((row) => row.kind === 'release')).toHaveLength(0);
    expect(await t.team(team.teamId)).toEqual({ balance: 0, reserved: 0 });
  });
});
