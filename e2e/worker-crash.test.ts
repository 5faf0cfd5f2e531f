import type { ChildProcess } from 'node:child_process';
import { SubmitTaskResponse, TaskView } from '@lumina/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  fixture,
  processForm,
  startTestBackend,
  type TestBackend,
} from '../backend/test/support/harness.ts';
import { exited, spawnWorkerProcess } from './support/worker-process.ts';

// Workers run as real processes here, so one can be killed with SIGKILL in the middle of a job.
let t: TestBackend;
const children: ChildProcess[] = [];

beforeAll(async () => {
  t = await startTestBackend();
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await t?.close();
});

/** Starts `gpu-worker/src/main.ts` as its own process and resolves once it says it is ready. */
const spawnWorker = (name: string, env: Record<string, string> = {}) =>
  spawnWorkerProcess({
    name,
    entry: 'gpu-worker/src/main.ts',
    // A short lock so a dead worker's job is noticed as stalled within seconds.
    env: { ...t.env, WORKER_LOCK_DURATION_MS: '2000', WORKER_STALLED_INTERVAL_MS: '1000', ...env },
    readyText: 'gpu worker ready',
    children,
  });

describe('a worker that dies mid-job', () => {
  it('leaves the job to another worker, and the task is charged once', async () => {
    const team = await t.newTeam(3);
    // A 4000×3000 photo keeps the job busy long enough to be killed in the middle of it.
    const big = await sharp(fixture('fruits.jpg')).resize(4000, 3000).jpeg({ quality: 90 }).toBuffer();
    const first = await spawnWorker('worker A');

    const res = await t.request('/api/v1/process', { method: 'POST', headers: team.auth, body: processForm(big) });
    expect(res.status).toBe(202);
    const { taskId } = SubmitTaskResponse.parse(await res.json());

    await eventually(async () => ((await t.taskRow(taskId))?.status === 'PROCESSING' ? true : undefined));
    expect((await t.backend.ctx.queue.snapshot(taskId, 'gpu')).state).toBe('active');
    first.child.kill('SIGKILL');
    await exited(first.child);
    expect((await t.taskRow(taskId))?.status).toBe('PROCESSING');

    const second = await spawnWorker('worker B');
    const done = await eventually(async () => {
      const row = await t.taskRow(taskId);
      return row?.status === 'COMPLETED' || row?.status === 'FAILED' ? row : undefined;
    }, 120_000);
    expect(done.status).toBe('COMPLETED');
    expect(second.output()).toContain(taskId);

    const view = TaskView.parse(await (await t.request(`/api/v1/tasks/${taskId}`, { headers: team.auth })).json());
    expect(view).toMatchObject({ status: 'COMPLETED', creditsDeducted: 1, result: { width: 4000, height: 3000 } });
    expect((await t.ledger(team.teamId)).map((row) => row.kind)).toEqual(['grant', 'reserve', 'capture']);
    expect(await t.team(team.teamId)).toEqual({ balance: 2, reserved: 0 });

    // SIGTERM closes the worker gracefully.
    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
  });

  it('with several jobs in flight, has each redone once by another worker and charged once', async () => {
    const team = await t.newTeam(10);
    const env = { WORKER_CONCURRENCY: '4' };
    const first = await spawnWorker('worker C', env);
    const taskIds: string[] = [];
    // Photos whose subject ISNet finds at this size (a cropped, squashed home.jpg or coffee.png may not have one).
    for (const name of ['fruits.jpg', 'horse.png', 'chelsea.png', 'smarties.png']) {
      const image = await sharp(fixture(name)).resize(2000, 1500, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer();
      const res = await t.request('/api/v1/process', { method: 'POST', headers: team.auth, body: processForm(image) });
      expect(res.status).toBe(202);
      taskIds.push(SubmitTaskResponse.parse(await res.json()).taskId);
    }

    // All four are held by the first worker when it dies.
    await eventually(async () => {
      const states = await Promise.all(taskIds.map((id) => t.backend.ctx.queue.snapshot(id, 'gpu')));
      return states.every((job) => job.state === 'active') ? true : undefined;
    }, 120_000);
    first.child.kill('SIGKILL');
    await exited(first.child);

    const second = await spawnWorker('worker D', env);
    for (const taskId of taskIds) {
      const done = await eventually(async () => {
        const row = await t.taskRow(taskId);
        return row?.status === 'COMPLETED' || row?.status === 'FAILED' ? row : undefined;
      }, 600_000);
      expect({ status: done.status, error: done.errorMessage }).toEqual({ status: 'COMPLETED', error: null });
      // Redone once: the second worker completed it exactly one time.
      const completions = second
        .output()
        .split('\n')
        .filter((line) => line.includes('"job completed"') && line.includes(taskId));
      expect(completions).toHaveLength(1);
      const kinds = (await t.ledger(team.teamId)).filter((row) => row.taskId === taskId).map((row) => row.kind);
      expect(kinds).toEqual(['reserve', 'capture']);
    }
    expect(await t.team(team.teamId)).toEqual({ balance: 10 - taskIds.length, reserved: 0 });

    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
  }, 1_200_000);
});
