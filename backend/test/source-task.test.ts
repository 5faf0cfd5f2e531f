import { ErrorBody, SubmitTaskResponse, TaskList, TaskView } from '@lumina/shared';
import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tasks } from '../src/db/schema.ts';
import { settleTask } from '../src/services/tasks/settle-task.ts';
import { completeAsWorker, cutoutPng } from './support/complete-task.ts';
import { fixture, processForm, startTestBackend, type TestBackend } from './support/harness.ts';

let t: TestBackend;
const photo = fixture('horse.png');

beforeAll(async () => {
  t = await startTestBackend();
});
afterAll(async () => {
  await t?.close();
});

type Team = Awaited<ReturnType<TestBackend['newTeam']>>;

const upload = async (team: Team): Promise<string> => {
  const res = await t.request('/api/v1/process', { method: 'POST', headers: team.auth, body: processForm(photo) });
  expect(res.status).toBe(202);
  return SubmitTaskResponse.parse(await res.json()).taskId;
};

/** A chained step as multipart: the operation's fields and `sourceTaskId` instead of an image. */
const chain = (
  team: Team,
  sourceTaskId: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
) => {
  const form = new FormData();
  form.set('sourceTaskId', sourceTaskId);
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  return t.request('/api/v1/process', { method: 'POST', headers: { ...team.auth, ...headers }, body: form });
};

const completedCutout = async (team: Team): Promise<{ taskId: string; png: Buffer }> => {
  const taskId = await upload(team);
  const png = await cutoutPng();
  await completeAsWorker(t, taskId, png);
  return { taskId, png };
};

const taskCount = async (teamId: string) =>
  (await t.backend.ctx.db.select().from(tasks).where(eq(tasks.teamId, teamId))).length;

describe('POST /api/v1/process with sourceTaskId', () => {
  it("answers another team's task exactly like a missing one, and charges nothing", async () => {
    const owner = await t.newTeam(5);
    const { taskId } = await completedCutout(owner);
    const stranger = await t.newTeam(5);
    const foreign = await chain(stranger, taskId, { operation: 'upscale', scale: '2' });
    const missing = await chain(stranger, 'task_0000000000000000000000000a', { operation: 'upscale', scale: '2' });
    expect(foreign.status).toBe(404);
    expect(missing.status).toBe(404);
    const foreignError = ErrorBody.parse(await foreign.json()).error;
    const missingError = ErrorBody.parse(await missing.json()).error;
    expect(foreignError.code).toBe('not_found');
    expect(foreignError.message).toBe(missingError.message);
    expect(Object.keys(foreignError.details ?? {})).toEqual(Object.keys(missingError.details ?? {}));
    expect(await t.team(stranger.teamId)).toEqual({ balance: 5, reserved: 0 });
    expect(await taskCount(stranger.teamId)).toBe(0);
  });

  it('refuses a source that is still queued, failed, was canceled or has expired, charging nothing', async () => {
    const team = await t.newTeam(10);
    const queued = await upload(team);
    const failed = await upload(team);
    await settleTask({
      ctx: t.backend.ctx,
      input: { taskId: failed, outcome: { kind: 'failed', code: 'no_subject', message: 'No subject.' } },
    });
    const canceled = await upload(team);
    const cancel = await t.request(`/api/v1/tasks/${canceled}/cancel`, { method: 'POST', headers: team.auth });
    expect(cancel.status).toBe(200);
    const expired = (await completedCutout(team)).taskId;
    await t.backend.ctx.db
      .update(tasks)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(tasks.id, expired));
    const before = await t.team(team.teamId);
    const tasksBefore = await taskCount(team.teamId);

    for (const [source, status] of [
      [queued, 'QUEUED'],
      [failed, 'FAILED'],
      [canceled, 'CANCELED'],
    ] as const) {
      const res = await chain(team, source, { operation: 'upscale', scale: '2' });
      expect(res.status).toBe(409);
      const error = ErrorBody.parse(await res.json()).error;
      expect(error.code).toBe('source_not_completed');
      expect(error.details).toMatchObject({ sourceTaskId: source, status });
    }
    const gone = await chain(team, expired, { operation: 'upscale', scale: '2' });
    expect(gone.status).toBe(410);
    expect(ErrorBody.parse(await gone.json()).error.code).toBe('result_expired');
    expect(await t.team(team.teamId)).toEqual(before);
    expect(await taskCount(team.teamId)).toBe(tasksBefore);
  });

  it('runs a chain of three steps on the stored results, each step charged once and showing its source', async () => {
    const team = await t.newTeam(20);
    const first = await completedCutout(team);

    const second = await chain(team, first.taskId, { operation: 'upscale', scale: '2' });
    expect(second.status).toBe(202);
    const secondId = SubmitTaskResponse.parse(await second.json()).taskId;
    const secondCharge = Number(second.headers.get('x-credits-charged'));
    // The step's input is the first task's result, byte for byte: nothing was uploaded.
    expect(Buffer.from((await t.backend.ctx.store.get(`inputs/${secondId}`))?.body ?? [])).toEqual(first.png);
    const upscaled = await sharp(first.png).resize(128, 96).png().toBuffer();
    await completeAsWorker(t, secondId, upscaled);

    const third = await t.request('/api/v1/process', {
      method: 'POST',
      headers: { ...team.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ sourceTaskId: secondId, operation: 'remove-background', params: { crop: true } }),
    });
    expect(third.status).toBe(202);
    const thirdId = SubmitTaskResponse.parse(await third.json()).taskId;
    const thirdCharge = Number(third.headers.get('x-credits-charged'));
    expect(Buffer.from((await t.backend.ctx.store.get(`inputs/${thirdId}`))?.body ?? [])).toEqual(upscaled);
    await completeAsWorker(t, thirdId, await cutoutPng());

    const view = TaskView.parse(await (await t.request(`/api/v1/tasks/${thirdId}`, { headers: team.auth })).json());
    expect(view.sourceTaskId).toBe(secondId);
    expect(view.status).toBe('COMPLETED');
    const history = TaskList.parse(await (await t.request('/api/v1/tasks', { headers: team.auth })).json());
    expect(history.data.map((task) => [task.taskId, task.sourceTaskId])).toEqual([
      [thirdId, secondId],
      [secondId, first.taskId],
      [first.taskId, null],
    ]);

    const ledger = await t.ledger(team.teamId);
    for (const taskId of [first.taskId, secondId, thirdId]) {
      expect(ledger.filter((row) => row.taskId === taskId).map((row) => row.kind)).toEqual(['reserve', 'capture']);
    }
    expect(secondCharge).toBeGreaterThan(0);
    expect(thirdCharge).toBeGreaterThan(0);
    expect(await t.team(team.teamId)).toEqual({ balance: 20 - 1 - secondCharge - thirdCharge, reserved: 0 });
  });

  it('answers an idempotent replay with the same task and changes nothing, even after the source expired', async () => {
    const team = await t.newTeam(10);
    const source = await completedCutout(team);
    const key = { 'idempotency-key': 'chain-upscale-1' };
    const first = await chain(team, source.taskId, { operation: 'upscale', scale: '4' }, key);
    expect(first.status).toBe(202);
    const { taskId } = SubmitTaskResponse.parse(await first.json());
    const after = await t.team(team.teamId);
    const count = await taskCount(team.teamId);
    const inputs = await t.backend.ctx.store.list('inputs/');

    const replay = await chain(team, source.taskId, { operation: 'upscale', scale: '4' }, key);
    expect(replay.status).toBe(202);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('x-credits-charged')).toBe('0');
    expect(SubmitTaskResponse.parse(await replay.json()).taskId).toBe(taskId);

    await t.backend.ctx.db
      .update(tasks)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(tasks.id, source.taskId));
    const late = await chain(team, source.taskId, { operation: 'upscale', scale: '4' }, key);
    expect(late.status).toBe(202);
    expect(SubmitTaskResponse.parse(await late.json()).taskId).toBe(taskId);

    expect(await t.team(team.teamId)).toEqual(after);
    expect(await taskCount(team.teamId)).toBe(count);
    expect(await t.backend.ctx.store.list('inputs/')).toEqual(inputs);

    // The same key with other parameters is other work: refused, as for another image.
    const reused = await chain(team, source.taskId, { operation: 'upscale', scale: '2' }, key);
    expect(reused.status).toBe(409);
    expect(ErrorBody.parse(await reused.json()).error.code).toBe('idempotency_key_reused');
  });

  it('answers the same step on the same source from the stored result at no charge', async () => {
    const team = await t.newTeam(10);
    const source = await completedCutout(team);
    const first = await chain(team, source.taskId, { operation: 'upscale', scale: '2' });
    const firstId = SubmitTaskResponse.parse(await first.json()).taskId;
    await completeAsWorker(t, firstId, await sharp(source.png).resize(128, 96).png().toBuffer());
    const before = await t.team(team.teamId);

    const again = await chain(team, source.taskId, { operation: 'upscale', scale: '2' });
    expect(again.status).toBe(202);
    expect(again.headers.get('x-credits-charged')).toBe('0');
    const againId = SubmitTaskResponse.parse(await again.json()).taskId;
    expect((await t.taskRow(againId))?.status).toBe('COMPLETED');
    expect((await t.taskRow(againId))?.sourceTaskId).toBe(source.taskId);
    expect(await t.team(team.teamId)).toEqual(before);
  });

  it('refuses an image and a sourceTaskId together, or a malformed id, with invalid_request', async () => {
    const team = await t.newTeam(5);
    const source = await completedCutout(team);
    const both = processForm(photo, { operation: 'upscale', scale: '2' });
    both.set('sourceTaskId', source.taskId);
    const res = await t.request('/api/v1/process', { method: 'POST', headers: team.auth, body: both });
    expect(res.status).toBe(400);
    expect(ErrorBody.parse(await res.json()).error.code).toBe('invalid_request');
    const malformed = await chain(team, 'not-a-task', { operation: 'upscale', scale: '2' });
    expect(malformed.status).toBe(400);
    const json = await t.request('/api/v1/process', {
      method: 'POST',
      headers: { ...team.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ operation: 'upscale', params: { scale: 2 } }),
    });
    expect(json.status).toBe(400);
    expect(await t.team(team.teamId)).toEqual({ balance: 4, reserved: 0 });
  });
});
