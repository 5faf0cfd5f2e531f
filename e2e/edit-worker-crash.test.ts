import type { ChildProcess } from 'node:child_process';
import { SubmitTaskResponse, TaskView } from '@lumina/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GeminiStandIn, imageReply, startGeminiStandIn } from '../backend/test/support/gemini-stand-in.ts';
import {
  eventually,
  fixture,
  processForm,
  startTestBackend,
  type TestBackend,
} from '../backend/test/support/harness.ts';
import { exited, spawnWorkerProcess } from './support/worker-process.ts';

// The edit worker runs as a real process here, so it can be killed with SIGKILL while Gemini is still thinking.
const apiKey = 'crash-test-key';
let gemini: GeminiStandIn;
let t: TestBackend;
const children: ChildProcess[] = [];

beforeAll(async () => {
  gemini = await startGeminiStandIn(apiKey);
  t = await startTestBackend({ GEMINI_API_KEY: apiKey, GEMINI_BASE_URL: gemini.url });
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await t?.close();
  await gemini?.close();
});

const spawnEditWorker = async (name: string) =>
  (
    await spawnWorkerProcess({
      name,
      entry: 'backend/src/edit-worker-main.ts',
      // A short lock so a dead worker's edit is noticed as stalled within seconds.
      env: { ...t.env, EDIT_LOCK_DURATION_MS: '2000', EDIT_STALLED_INTERVAL_MS: '1000' },
      readyText: 'edit worker ready',
      children,
    })
  ).child;

describe('an edit worker killed while Gemini is answering', () => {
  it('loses nothing: another worker redoes the edit, and the team is charged once', async () => {
    const picture = await sharp({ create: { width: 1024, height: 683, channels: 3, background: '#ff7800' } })
      .png()
      .toBuffer();
    // The first request never gets its answer (its worker dies waiting); the retry gets the picture.
    gemini.script({ hang: true }, imageReply(picture));
    const first = await spawnEditWorker('first worker');

    const team = await t.newTeam(10);
    const res = await t.request('/api/v1/process', {
      method: 'POST',
      headers: team.auth,
      body: processForm(fixture('chelsea.png'), { operation: 'magic-edit', prompt: 'make it sunset' }),
    });
    expect(res.status).toBe(202);
    const { taskId } = SubmitTaskResponse.parse(await res.json());
    await eventually(async () => (gemini.requests.length === 1 ? true : undefined), 30_000);

    first.kill('SIGKILL');
    await exited(first);
    const second = await spawnEditWorker('second worker');

    const task = await eventually(async () => {
      const view = TaskView.parse(await (await t.request(`/api/v1/tasks/${taskId}`, { headers: team.auth })).json());
      return view.status === 'COMPLETED' || view.status === 'FAILED' ? view : undefined;
    }, 60_000);
    expect(task).toMatchObject({ status: 'COMPLETED', creditsDeducted: 4, result: { width: 451, height: 300 } });
    expect(gemini.requests).toHaveLength(2);
    expect(await t.team(team.teamId)).toEqual({ balance: 6, reserved: 0 });
    expect((await t.ledger(team.teamId)).map((row) => row.kind)).toEqual(['grant', 'reserve', 'capture']);

    second.kill('SIGTERM');
    expect(await exited(second)).toBe(0);
  });
});
