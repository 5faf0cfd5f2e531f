import { ErrorBody, type ErrorCode, queueNames, SubmitTaskResponse, TaskJob } from '@lumina/shared';
import { Queue } from 'bullmq';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tasks } from '../src/db/schema.ts';
import { fixture, processForm, startTestBackend, type TestBackend } from './support/harness.ts';
import {
  bmp,
  lyingHeaderPng,
  oversizedUpload,
  pngBomb30000,
  svg,
  textNamedPng,
  truncatedPng,
  zeroBytes,
} from './support/hostile-images.ts';

let t: TestBackend;
const photo = fixture('horse.png');
const backdrop = fixture('home.jpg');

beforeAll(async () => {
  t = await startTestBackend();
});
afterAll(async () => {
  await t?.close();
});

const withBackground = (background: Uint8Array, fields: Record<string, string> = {}) => {
  const form = processForm(photo, fields);
  form.set('bg_image_file', new File([background], 'backdrop.png'));
  return form;
};

const hostile: Array<[string, number, ErrorCode, () => Uint8Array]> = [
  ['zero bytes', 400, 'empty_upload', zeroBytes],
  ['text named .png', 415, 'unsupported_media_type', textNamedPng],
  ['a truncated PNG', 422, 'image_corrupt', truncatedPng],
  ['a 30000×30000 PNG bomb', 422, 'image_too_large', pngBomb30000],
  ['a PNG header that lies about its size', 422, 'image_too_large', () => lyingHeaderPng()],
  ['an upload over 25 MB', 413, 'upload_too_large', () => oversizedUpload()],
  ['SVG', 415, 'unsupported_media_type', svg],
  ['BMP', 415, 'unsupported_media_type', bmp],
];

describe('bg_image_file on POST /api/v1/process', () => {
  it('stores the background beside the input and hands it to the worker with the job', async () => {
    const team = await t.newTeam(3);
    const res = await t.request('/api/v1/process', {
      method: 'POST',
      headers: team.auth,
      body: withBackground(backdrop),
    });
    expect(res.status).toBe(202);
    const { taskId } = SubmitTaskResponse.parse(await res.json());
    const row = await t.taskRow(taskId);
    expect(row?.backgroundKey).toBe(`inputs/${taskId}-background`);
    const stored = await t.backend.ctx.store.get(`inputs/${taskId}-background`);
    expect(Buffer.from(stored?.body ?? [])).toEqual(backdrop);
    const job = await t.backend.ctx.queue.snapshot(taskId, 'gpu');
    expect(job.state).toBe('waiting');
    expect(res.headers.get('x-credits-charged')).toBe('1');
    // The background is part of the work: the same photo without it, or with another, is not the same request.
    const plain = await t.request('/api/v1/process', { method: 'POST', headers: team.auth, body: processForm(photo) });
    const plainRow = await t.taskRow(SubmitTaskResponse.parse(await plain.json()).taskId);
    expect(plainRow?.requestHash).not.toBe(row?.requestHash);
    expect(plainRow?.backgroundKey).toBeNull();
  });

  it('carries the background key in the job payload the worker parses', async () => {
    const team = await t.newTeam(3);
    const res = await t.request('/api/v1/process', {
      method: 'POST',
      headers: { ...team.auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        image: photo.toString('base64'),
        bg_image_file: backdrop.toString('base64'),
        operation: 'remove-background',
      }),
    });
    expect(res.status).toBe(202);
    const { taskId } = SubmitTaskResponse.parse(await res.json());
    const queue = new Queue(queueNames.gpu, {
      connection: { url: t.env.REDIS_URL },
      prefix: t.config.queuePrefix,
    });
    try {
      const payload = TaskJob.parse((await queue.getJob(taskId))?.data);
      expect(payload.backgroundKey).toBe(`inputs/${taskId}-background`);
    } finally {
      await queue.close();
    }
  });

  it.each(hostile)(
    'refuses %s as the background with %i %s, charging and storing nothing',
    async (_n, status, code, make) => {
      const team = await t.newTeam(3);
      const inputsBefore = await t.backend.ctx.store.list('inputs/');
      const res = await t.request('/api/v1/process', {
        method: 'POST',
        headers: team.auth,
        body: withBackground(make()),
      });
      expect(res.status).toBe(status);
      expect(ErrorBody.parse(await res.json()).error.code).toBe(code);
      expect(await t.team(team.teamId)).toEqual({ balance: 3, reserved: 0 });
      expect(await t.backend.ctx.db.select().from(tasks).where(eq(tasks.teamId, team.teamId))).toEqual([]);
      expect(await t.backend.ctx.store.list('inputs/')).toEqual(inputsBefore);
    },
  );

  it('refuses a background with another operation, a mask or a colour fill', async () => {
    const team = await t.newTeam(3);
    const misuses: Array<Record<string, string>> = [
      { operation: 'upscale', scale: '2' },
      { channels: 'alpha' },
      { bg_color: 'white' },
    ];
    for (const fields of misuses) {
      const res = await t.request('/api/v1/process', {
        method: 'POST',
        headers: team.auth,
        body: withBackground(backdrop, fields),
      });
      expect(res.status).toBe(400);
      expect(ErrorBody.parse(await res.json()).error).toMatchObject({
        code: 'invalid_request',
        details: { field: 'bg_image_file' },
      });
    }
    expect(await t.team(team.teamId)).toEqual({ balance: 3, reserved: 0 });
  });
});

describe('bg_image_file on POST /v1.0/removebg', () => {
  const removeBg = (apiKey: string, background: Uint8Array) => {
    const form = new FormData();
    form.set('image_file', new File([photo], 'photo.png'));
    form.set('bg_image_file', new File([background], 'backdrop.jpg'));
    return t.request('/v1.0/removebg', { method: 'POST', headers: { 'x-api-key': apiKey }, body: form });
  };

  it.each(hostile)('refuses %s as the background with %i %s at no cost', async (_n, status, code, make) => {
    const team = await t.newTeam(3);
    const res = await removeBg(team.apiKey, make());
    expect(res.status).toBe(status);
    const body = (await res.json()) as { errors: Array<{ code: string }> };
    expect(body.errors[0]?.code).toBe(code);
    expect(await t.team(team.teamId)).toEqual({ balance: 3, reserved: 0 });
    expect(await t.backend.ctx.db.select().from(tasks).where(eq(tasks.teamId, team.teamId))).toEqual([]);
  });

  it('still refuses bg_image_url by name', async () => {
    const team = await t.newTeam(3);
    const form = new FormData();
    form.set('image_file', new File([photo], 'photo.png'));
    form.set('bg_image_url', 'https://example.com/backdrop.jpg');
    const res = await t.request('/v1.0/removebg', {
      method: 'POST',
      headers: { 'x-api-key': team.apiKey },
      body: form,
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('bg_image_url');
  });
});
