import type { Logger } from '@lumina/runtime';
import { Capabilities, ErrorBody, SubmitTaskResponse, TaskView } from '@lumina/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EditWorker, startEditWorker } from '../src/edit/edit-worker.ts';
import { loadEditWorkerConfig } from '../src/edit/edit-worker-config.ts';
import {
  finishReasonReply,
  type GeminiStandIn,
  googleError,
  imageReply,
  promptBlockedReply,
  startGeminiStandIn,
} from './support/gemini-stand-in.ts';
import { eventually, fixture, processForm, startTestBackend, type TestBackend } from './support/harness.ts';

const apiKey = 'test-gemini-key';
const price = 4;
const cat = fixture('chelsea.png'); // 451×300
let gemini: GeminiStandIn;
let t: TestBackend;
let worker: EditWorker;
/** The worker's log lines, as they would be written. */
const logLines: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
const recordingLogger: Logger = {
  info: (message, fields = {}) => logLines.push({ level: 'info', message, fields }),
  warn: (message, fields = {}) => logLines.push({ level: 'warn', message, fields }),
  error: (message, fields = {}) => logLines.push({ level: 'error', message, fields }),
};

/** What the stand-in's model "draws": a flat orange picture of its own size, unlike any input. */
const orange = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 255, g: 120, b: 0 } } })
    .png()
    .toBuffer();

beforeAll(async () => {
  gemini = await startGeminiStandIn(apiKey);
  t = await startTestBackend({
    GEMINI_API_KEY: apiKey,
    GEMINI_BASE_URL: gemini.url,
    GEMINI_RETRY_BASE_MS: '20',
    PRICE_MAGIC_EDIT: String(price),
  });
  worker = startEditWorker({ config: loadEditWorkerConfig(t.env), store: t.backend.ctx.store, log: recordingLogger });
  await worker.ready;
});
afterAll(async () => {
  await worker?.close();
  await t?.close();
  await gemini?.close();
});

async function edit(fields: Record<string, string>, image: Uint8Array = cat) {
  const team = await t.newTeam(10);
  const res = await t.request('/api/v1/process', {
    method: 'POST',
    headers: team.auth,
    body: processForm(image, { operation: 'magic-edit', ...fields }),
  });
  expect(res.status).toBe(202);
  const { taskId } = SubmitTaskResponse.parse(await res.json());
  const task = await eventually(async () => {
    const view = TaskView.parse(await (await t.request(`/api/v1/tasks/${taskId}`, { headers: team.auth })).json());
    return ['COMPLETED', 'FAILED'].includes(view.status) ? view : undefined;
  }, 30_000);
  return { team, task, balance: await t.team(team.teamId) };
}

async function expectFailed(outcome: Awaited<ReturnType<typeof edit>>, code: string) {
  expect(outcome.task).toMatchObject({ status: 'FAILED', creditsDeducted: 0, error: { code } });
  expect(outcome.balance).toEqual({ balance: 10, reserved: 0 });
  const kinds = (await t.ledger(outcome.team.teamId)).map((row) => row.kind);
  expect(kinds).toEqual(['grant', 'reserve', 'release']);
}

describe('magic edit through Gemini', () => {
  it('sends the image and the instruction, and brings the answer back to the original size', async () => {
    gemini.script(imageReply(await orange(1024, 768), 'Here is the sunset version.'));
    const { team, task, balance } = await edit({ prompt: '  make it sunset  ' });

    expect(task.status).toBe('COMPLETED');
    expect(task.creditsDeducted).toBe(price);
    expect(balance).toEqual({ balance: 10 - price, reserved: 0 });
    expect((await t.ledger(team.teamId)).map((row) => row.kind)).toEqual(['grant', 'reserve', 'capture']);

    const [request] = gemini.requests;
    expect(gemini.requests).toHaveLength(1);
    expect(request?.model).toBe('gemini-2.5-flash-image');
    expect(request?.apiKey).toBe(apiKey);
    expect(request?.prompt).toBe('make it sunset');
    expect(request?.responseModalities).toEqual(['IMAGE']);
    expect(request?.image?.mimeType).toBe('image/jpeg');
    const sent = await sharp(request?.image?.bytes).metadata();
    expect([sent.format, sent.width, sent.height]).toEqual(['jpeg', 451, 300]);

    // 1024×768 is 4:3, the cat is about 3:2: covered and centre-cropped, not stretched.
    expect(task.result).toEqual({
      format: 'png',
      width: 451,
      height: 300,
      bytes: expect.any(Number),
      resize: { sent: { width: 451, height: 300 }, model: { width: 1024, height: 768 }, to: 'original', cropped: true },
    });
    // The signed URL names PUBLIC_BASE_URL; its path and query are served by the app itself.
    const url = new URL(task.resultUrl ?? '');
    const png = Buffer.from(await (await t.request(url.pathname + url.search)).arrayBuffer());
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([451, 300]);
    expect([data[0], data[1], data[2]]).toEqual([255, 120, 0]);
  });

  it("keeps the model's own size when asked, as WebP", async () => {
    gemini.script(imageReply(await orange(1184, 864)));
    const { task } = await edit({ prompt: 'add a cat', size: 'model', format: 'webp' });
    expect(task.status).toBe('COMPLETED');
    expect(task.result).toMatchObject({ format: 'webp', width: 1184, height: 864 });
    expect(task.result?.resize).toMatchObject({ to: 'model', cropped: false });
  });

  it('fails with prompt_blocked when the model refuses the instruction, and releases the credits', async () => {
    gemini.script(promptBlockedReply('PROHIBITED_CONTENT'));
    const outcome = await edit({ prompt: 'something forbidden' });
    await expectFailed(outcome, 'prompt_blocked');
    expect(outcome.task.error?.message).toContain('PROHIBITED_CONTENT');
  });

  it.each([
    ['IMAGE_SAFETY', 'edit_blocked'],
    ['PROHIBITED_CONTENT', 'edit_blocked'],
    ['IMAGE_RECITATION', 'edit_recitation'],
    ['NO_IMAGE', 'no_image_returned'],
  ])('maps finish reason %s to %s', async (finishReason, code) => {
    gemini.script(finishReasonReply(finishReason));
    const outcome = await edit({ prompt: 'make it sunset' });
    await expectFailed(outcome, code);
    expect(outcome.task.error?.message).toContain(finishReason);
    expect(gemini.requests).toHaveLength(1);
  });

  it('fails with no_image_returned when the model only talks, and passes on what it said', async () => {
    gemini.script(finishReasonReply('STOP', 'I can describe the image, but I cannot edit it.'));
    const outcome = await edit({ prompt: 'make it sunset' });
    await expectFailed(outcome, 'no_image_returned');
    expect(outcome.task.error?.message).toContain('I cannot edit it');
  });

  it('fails with model_rejected on a 400 without retrying', async () => {
    gemini.script(googleError(400, 'INVALID_ARGUMENT', 'Unable to process input image.'));
    const outcome = await edit({ prompt: 'make it sunset' });
    await expectFailed(outcome, 'model_rejected');
    expect(outcome.task.error?.message).toContain('Unable to process input image.');
    expect(gemini.requests).toHaveLength(1);
  });

  it('waits as long as Retry-After says after a 429, then succeeds', async () => {
    gemini.script(
      googleError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded.', { headers: { 'retry-after': '1' } }),
      imageReply(await orange(1024, 683)),
    );
    const { task, balance } = await edit({ prompt: 'make it sunset' });
    expect(task.status).toBe('COMPLETED');
    expect(balance).toEqual({ balance: 10 - price, reserved: 0 });
    expect(gemini.requests).toHaveLength(2);
    const [first, second] = gemini.requests;
    // The backoff alone would be about 20 ms; the second request came only after the second asked for.
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
    const row = await t.taskRow(task.taskId);
    expect(row?.result).toMatchObject({ attempts: 2 });
  });

  it("honours the RetryInfo delay in Google's error body too", async () => {
    gemini.script(
      googleError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded.', { retryDelay: '1s' }),
      imageReply(await orange(1024, 683)),
    );
    const { task } = await edit({ prompt: 'make it sunset' });
    expect(task.status).toBe('COMPLETED');
    const [first, second] = gemini.requests;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('gives up with model_unavailable after three 500s', async () => {
    gemini.script(googleError(500, 'INTERNAL', 'An internal error has occurred.'));
    const outcome = await edit({ prompt: 'make it sunset' });
    await expectFailed(outcome, 'model_unavailable');
    expect(outcome.task.error?.message).toContain('gave up after 3 attempts');
    expect(gemini.requests).toHaveLength(3);
  });

  it('fails with model_failed on an answer that is not JSON', async () => {
    gemini.script({ status: 200, body: '{"candidates": [{"content": ' });
    await expectFailed(await edit({ prompt: 'make it sunset' }), 'model_failed');
  });

  it('fails with model_failed when the "image" it returns does not decode', async () => {
    gemini.script(imageReply(Buffer.from('not a picture at all')));
    await expectFailed(await edit({ prompt: 'make it sunset' }), 'model_failed');
  });
});

describe('magic edit tracing', () => {
  it("carries the submitting request's id into the worker's log lines", async () => {
    gemini.script(imageReply(await orange(1024, 683)));
    const team = await t.newTeam(10);
    const res = await t.request('/api/v1/process', {
      method: 'POST',
      headers: { ...team.auth, 'X-Request-Id': 'req_trace_magic_edit' },
      body: processForm(cat, { operation: 'magic-edit', prompt: 'make it sunset' }),
    });
    expect(res.headers.get('x-request-id')).toBe('req_trace_magic_edit');
    const { taskId } = SubmitTaskResponse.parse(await res.json());
    const line = await eventually(async () =>
      logLines.find((l) => l.fields.taskId === taskId && l.message === 'edit completed'),
    );
    expect(line.fields.requestId).toBe('req_trace_magic_edit');
  });
});

describe('magic edit at submit', () => {
  it('lists its price and parameters in the capabilities', async () => {
    const capabilities = Capabilities.parse(await (await t.request('/api/v1/capabilities')).json());
    const magic = capabilities.operations.find((op) => op.operation === 'magic-edit');
    expect(magic).toMatchObject({ available: true, credits: price });
    expect(magic?.credits).toBeGreaterThan(
      capabilities.operations.find((op) => op.operation === 'remove-background')?.credits ?? Infinity,
    );
    expect(magic?.params.find((p) => p.name === 'prompt')).toMatchObject({ required: true, maxLength: 2000 });
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['blank', '   \n  '],
    ['over 2,000 characters', 'a'.repeat(2001)],
  ])('refuses a %s prompt with invalid_prompt, at no cost', async (_case, prompt) => {
    const team = await t.newTeam(10);
    const res = await t.request('/api/v1/process', {
      method: 'POST',
      headers: team.auth,
      body: processForm(cat, { operation: 'magic-edit', ...(prompt === undefined ? {} : { prompt }) }),
    });
    expect(res.status).toBe(400);
    expect(ErrorBody.parse(await res.json()).error.code).toBe('invalid_prompt');
    expect(await t.team(team.teamId)).toEqual({ balance: 10, reserved: 0 });
  });

  it('counts characters, not UTF-16 units: 2,000 emoji are accepted', async () => {
    gemini.script(imageReply(await orange(1024, 683)));
    const { task } = await edit({ prompt: '🌅'.repeat(2000) });
    expect(task.status).toBe('COMPLETED');
  });
});

describe('magic edit without a Gemini key', () => {
  let bare: TestBackend;
  beforeAll(async () => {
    bare = await startTestBackend({}, { background: false });
  });
  afterAll(async () => {
    await bare?.close();
  });

  it('is listed as unavailable, with the reason', async () => {
    await bare.announceGpuWorker();
    const capabilities = Capabilities.parse(await (await bare.request('/api/v1/capabilities')).json());
    const magic = capabilities.operations.find((op) => op.operation === 'magic-edit');
    expect(magic?.available).toBe(false);
    expect(magic?.reason).toContain('GEMINI_API_KEY');
    expect(capabilities.operations.find((op) => op.operation === 'remove-background')?.available).toBe(true);
  });

  it('refuses a submit with operation_unavailable, charging and storing nothing', async () => {
    const team = await bare.newTeam(10);
    const res = await bare.request('/api/v1/process', {
      method: 'POST',
      headers: team.auth,
      body: processForm(cat, { operation: 'magic-edit', prompt: 'make it sunset' }),
    });
    expect(res.status).toBe(501);
    expect(ErrorBody.parse(await res.json()).error.code).toBe('operation_unavailable');
    expect(await bare.team(team.teamId)).toEqual({ balance: 10, reserved: 0 });
    expect(await bare.backend.ctx.store.list('inputs/')).toEqual([]);
    const list = await (await bare.request('/api/v1/tasks', { headers: team.auth })).json();
    expect(list).toMatchObject({ data: [] });
  });
});
