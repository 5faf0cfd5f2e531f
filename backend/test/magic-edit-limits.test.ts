import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '@lumina/runtime';
import { SubmitTaskResponse, TaskView } from '@lumina/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EditWorker, startEditWorker } from '../src/edit/edit-worker.ts';
import { loadEditWorkerConfig } from '../src/edit/edit-worker-config.ts';
import { type GeminiStandIn, imageReply, startGeminiStandIn } from './support/gemini-stand-in.ts';
import { eventually, fixture, processForm, startTestBackend, type TestBackend } from './support/harness.ts';

const apiKey = 'limits-test-key';
let gemini: GeminiStandIn;
let t: TestBackend;
let worker: EditWorker;

beforeAll(async () => {
  gemini = await startGeminiStandIn(apiKey);
  t = await startTestBackend({ GEMINI_API_KEY: apiKey, GEMINI_BASE_URL: gemini.url, GEMINI_EDITS_PER_MINUTE: '2' });
  worker = startEditWorker({
    config: loadEditWorkerConfig(t.env),
    store: t.backend.ctx.store,
    log: createLogger('edit', { silent: true }),
  });
  await worker.ready;
});
afterAll(async () => {
  await worker?.close();
  await t?.close();
  await gemini?.close();
});

describe('the edit workers’ rate limit', () => {
  it('starts no more edits per minute than GEMINI_EDITS_PER_MINUTE; the rest wait in the queue', async () => {
    gemini.script(
      imageReply(
        await sharp({ create: { width: 64, height: 64, channels: 3, background: '#000' } })
          .png()
          .toBuffer(),
      ),
    );
    const team = await t.newTeam(20);
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await t.request('/api/v1/process', {
        method: 'POST',
        headers: team.auth,
        body: processForm(fixture('home.jpg'), { operation: 'magic-edit', prompt: `edit number ${i}` }),
      });
      ids.push(SubmitTaskResponse.parse(await res.json()).taskId);
    }
    const statusOf = async (id: string) =>
      TaskView.parse(await (await t.request(`/api/v1/tasks/${id}`, { headers: team.auth })).json()).status;

    await eventually(async () => {
      const statuses = await Promise.all(ids.map(statusOf));
      return statuses.filter((s) => s === 'COMPLETED').length === 2 ? true : undefined;
    }, 30_000);
    // Well inside the minute, the third edit is still waiting and Gemini has seen two requests.
    await sleep(1500);
    const statuses = await Promise.all(ids.map(statusOf));
    expect(statuses.filter((s) => s === 'COMPLETED')).toHaveLength(2);
    expect(statuses.filter((s) => s === 'QUEUED')).toHaveLength(1);
    expect(gemini.requests).toHaveLength(2);
  });
});
