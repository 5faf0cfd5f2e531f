import { isTerminal, TaskView } from '@lumina/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, fixture, type TestBackend } from '../backend/test/support/harness.ts';
import { type Slice, startSlice, submit } from './support/slice.ts';

// One worker with eight jobs in flight at once, through the real API: stages of different jobs overlap, and one
// job's failure or cancel must leave the others alone.
let slice: Slice;
let t: TestBackend;

beforeAll(async () => {
  slice = await startSlice({ WORKER_CONCURRENCY: '8' });
  t = slice.t;
});
afterAll(async () => {
  await slice?.close();
});

/** Eight jobs share one 2-core machine here, so a task may take minutes to settle. */
const settled = (taskId: string, auth: Record<string, string>) =>
  eventually(async () => {
    const view = TaskView.parse(await (await t.request(`/api/v1/tasks/${taskId}`, { headers: auth })).json());
    return isTerminal(view.status) ? view : undefined;
  }, 600_000);

describe('a worker with eight jobs in flight', () => {
  it('completes the others when one fails and one is canceled, and charges each completed task once', async () => {
    const team = await t.newTeam(20);
    const photo = (name: string, width: number, height: number) =>
      sharp(fixture(name)).resize(width, height, { fit: 'fill' }).png().toBuffer();
    const grey = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    const inputs = [
      await photo('chelsea.png', 451, 300),
      await photo('horse.png', 512, 512),
      await photo('fruits.jpg', 800, 600),
      // The one to cancel: a camera-size photo keeps it in flight long enough to be canceled mid-way.
      await sharp(fixture('baboon.jpg')).resize(4000, 3000).jpeg({ quality: 90 }).toBuffer(),
      // The one that fails: nothing to cut out.
      grey,
      await photo('coffee.png', 640, 480),
      await photo('smarties.png', 700, 500),
      await photo('home.jpg', 1024, 768),
    ];
    const taskIds: string[] = [];
    for (const image of inputs) taskIds.push(await submit(t, team.auth, image));
    const [canceledId, failingId] = [taskIds[3] ?? '', taskIds[4] ?? ''];

    // Every job is taken before any finishes on this machine, so all eight are in flight together.
    await eventually(async () => ((await t.taskRow(canceledId))?.status === 'PROCESSING' ? true : undefined), 120_000);
    const cancel = await t.request(`/api/v1/tasks/${canceledId}/cancel`, { method: 'POST', headers: team.auth });
    expect(cancel.status).toBe(200);

    const views = new Map<string, TaskView>();
    for (const taskId of taskIds) views.set(taskId, await settled(taskId, team.auth));
    for (const [taskId, view] of views) {
      if (taskId === canceledId) expect(view).toMatchObject({ status: 'CANCELED', creditsDeducted: 0 });
      else if (taskId === failingId) {
        expect(view).toMatchObject({ status: 'FAILED', creditsDeducted: 0, error: { code: 'no_subject' } });
      } else expect(view).toMatchObject({ status: 'COMPLETED', creditsDeducted: 1 });
    }

    expect(await t.team(team.teamId)).toEqual({ balance: 20 - 6, reserved: 0 });
    const ledger = await t.ledger(team.teamId);
    for (const taskId of taskIds) {
      const kinds = ledger.filter((row) => row.taskId === taskId).map((row) => row.kind);
      const settledAs = taskId === canceledId || taskId === failingId ? 'release' : 'capture';
      expect(kinds).toEqual(['reserve', settledAs]);
    }
  }, 1_200_000);
});
