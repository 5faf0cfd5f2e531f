import { isTerminal, TaskView } from '@lumina/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, fixture, type TestBackend } from '../backend/test/support/harness.ts';
import { type Slice, startSlice, submit } from './support/slice.ts';

// A thick upscale is the costliest job there is (~26× slim on cpu); canceling it must stop the compute, not only
// the bill. One job at a time here, so a worker that went on would hold up the job behind it.
let slice: Slice;
let t: TestBackend;

beforeAll(async () => {
  slice = await startSlice({ WORKER_CONCURRENCY: '1' });
  t = slice.t;
});
afterAll(async () => {
  await slice?.close();
});

const view = async (taskId: string, auth: Record<string, string>) =>
  TaskView.parse(await (await t.request(`/api/v1/tasks/${taskId}`, { headers: auth })).json());

describe('canceling a running upscale', () => {
  it('stops the worker between tiles, settles CANCELED only once the worker let go, charges nothing, and the next job runs', async () => {
    const team = await t.newTeam(500);
    const photo = await sharp(fixture('baboon.jpg')).resize(600, 600).png().toBuffer();
    const thickId = await submit(t, team.auth, photo, { operation: 'upscale', scale: '2', model: 'thick' });
    const nextId = await submit(t, team.auth, await sharp(photo).resize(64, 64).png().toBuffer(), {
      operation: 'upscale',
      scale: '2',
    });

    // At least one tile is done: the job is deep in the model when the cancel comes.
    await eventually(async () => ((await view(thickId, team.auth)).progress > 10 ? true : undefined), 300_000);
    const canceled = await t.request(`/api/v1/tasks/${thickId}/cancel`, { method: 'POST', headers: team.auth });
    expect(canceled.status).toBe(200);

    // Until the worker has let go, the task stays PROCESSING and its credits reserved; once it is CANCELED, the job
    // is no longer active on any worker.
    const done = await eventually(async () => {
      const [task, job] = [await view(thickId, team.auth), await t.backend.ctx.queue.snapshot(thickId, 'gpu')];
      if (task.status === 'PROCESSING') expect((await t.team(team.teamId)).reserved).toBeGreaterThan(0);
      return isTerminal(task.status) ? { task, job } : undefined;
    }, 120_000);
    expect(done.task).toMatchObject({ status: 'CANCELED', creditsDeducted: 0 });
    expect(done.job.state).toBe('failed');
    expect(done.job.failedReason).toMatch(/^canceled: /);
    // The remaining tiles were never run: the job stopped well short of the end.
    expect(done.job.progress).toBeLessThan(90);

    const next = await eventually(async () => {
      const task = await view(nextId, team.auth);
      return isTerminal(task.status) ? task : undefined;
    }, 300_000);
    expect(next).toMatchObject({ status: 'COMPLETED' });
    const ledger = await t.ledger(team.teamId);
    expect(ledger.filter((row) => row.taskId === thickId).map((row) => row.kind)).toEqual(['reserve', 'release']);
    expect(await t.team(team.teamId)).toEqual({ balance: 500 - next.creditsDeducted, reserved: 0 });
  }, 1_200_000);
});
