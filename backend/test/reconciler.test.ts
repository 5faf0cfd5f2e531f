import { SubmitTaskResponse, TaskView } from '@lumina/shared';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tasks } from '../src/db/schema.ts';
import { reconcileTasks } from '../src/services/tasks/reconcile-tasks.ts';
import { fixture, processForm, startTestBackend, type TestBackend } from './support/harness.ts';

// This file owns Redis database 9 so it can flush it like a lost or restarted Redis would be.
const redisUrl = 'redis://127.0.0.1:6379/9';
let t: TestBackend;
let redis: Redis;

beforeAll(async () => {
  t = await startTestBackend({ REDIS_URL: redisUrl, RECONCILE_GRACE_MS: '0' }, { ownDatabase: true });
  redis = new Redis(redisUrl);
});
afterAll(async () => {
  await t?.close();
  redis?.disconnect();
});

const submitMany = async (auth: Record<string, string>, count: number) => {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const res = await t.request('/api/v1/process', {
      method: 'POST',
      headers: auth,
      body: processForm(fixture('horse.png')),
    });
    ids.push(SubmitTaskResponse.parse(await res.json()).taskId);
  }
  return ids;
};

describe('the reconciler', () => {
  it('re-enqueues every queued task whose job vanished with a Redis flush', async () => {
    const team = await t.newTeam(3);
    const ids = await submitMany(team.auth, 3);
    for (const id of ids) expect((await t.backend.ctx.queue.snapshot(id, 'gpu')).state).toBe('waiting');

    await redis.flushdb();
    for (const id of ids) expect((await t.backend.ctx.queue.snapshot(id, 'gpu')).state).toBe('missing');

    const summary = await reconcileTasks({ ctx: t.backend.ctx });
    expect(summary.requeued).toBeGreaterThanOrEqual(3);
    for (const id of ids) {
      expect((await t.backend.ctx.queue.snapshot(id, 'gpu')).state).toBe('waiting');
      expect((await t.taskRow(id))?.enqueueCount).toBe(2);
    }
    // Re-enqueueing again is a no-op: the job id is the task id.
    await reconcileTasks({ ctx: t.backend.ctx });
    const counts = await t.backend.ctx.queue.load('gpu');
    expect(counts.waiting).toBe(ids.length);
    expect(await t.team(team.teamId)).toEqual({ balance: 0, reserved: 3 });
  });

  it('fails tasks stuck past their deadline and releases their credits exactly once', async () => {
    const team = await t.newTeam(2);
    const ids = await submitMany(team.auth, 2);
    await redis.flushdb();
    for (const id of ids) {
      await t.backend.ctx.db
        .update(tasks)
        .set({ deadlineAt: new Date(Date.now() - 1000) })
        .where(eq(tasks.id, id));
    }
    await reconcileTasks({ ctx: t.backend.ctx });
    await reconcileTasks({ ctx: t.backend.ctx });
    for (const id of ids) {
      const view = TaskView.parse(await (await t.request(`/api/v1/tasks/${id}`, { headers: team.auth })).json());
      expect(view.status).toBe('FAILED');
      expect(view.error?.code).toBe('timed_out');
      expect(view.creditsDeducted).toBe(0);
    }
    expect(await t.team(team.teamId)).toEqual({ balance: 2, reserved: 0 });
    const releases = (await t.ledger(team.teamId)).filter((row) => row.kind === 'release');
    expect(releases).toHaveLength(2);
  });
});
