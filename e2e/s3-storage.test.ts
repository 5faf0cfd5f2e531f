import { type GpuWorker, loadWorkerConfig, silentLogger, startGpuWorker } from '@lumina/gpu-worker';
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
import { startS3rver, testBucket } from '../backend/test/support/s3rver.ts';

// The same slice with S3 object storage, configured only through the environment as an operator would:
// the backend stores the input in the bucket, the worker reads it there and writes the result back.
let s3: Awaited<ReturnType<typeof startS3rver>>;
let t: TestBackend;
let worker: GpuWorker;

beforeAll(async () => {
  s3 = await startS3rver();
  t = await startTestBackend({
    S3_BUCKET: testBucket,
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
  });
  expect(t.config.storage.kind).toBe('s3');
  worker = await startGpuWorker({ config: loadWorkerConfig(t.env), store: t.backend.ctx.store, log: silentLogger });
  await worker.ready;
});
afterAll(async () => {
  await worker?.close();
  await t?.close();
  await s3?.close();
});

describe('remove-background on S3 storage', () => {
  it('completes with the input and the result in the bucket, served through the signed URL', async () => {
    const team = await t.newTeam(2);
    const res = await t.request('/api/v1/process', {
      method: 'POST',
      headers: team.auth,
      body: processForm(fixture('coffee.png')),
    });
    const { taskId } = SubmitTaskResponse.parse(await res.json());
    const done = await eventually(async () => {
      const view = TaskView.parse(await (await t.request(`/api/v1/tasks/${taskId}`, { headers: team.auth })).json());
      return view.status === 'COMPLETED' || view.status === 'FAILED' ? view : undefined;
    });
    expect(done.status).toBe('COMPLETED');
    expect(await t.backend.ctx.store.list(`results/${taskId}`)).toEqual([`results/${taskId}.png`]);
    expect(await t.backend.ctx.store.list(`inputs/${taskId}`)).toEqual([`inputs/${taskId}`]);

    const url = new URL(done.resultUrl ?? '');
    const file = await t.request(url.pathname + url.search);
    expect(file.status).toBe(200);
    const meta = await sharp(Buffer.from(await file.arrayBuffer())).metadata();
    expect({ width: meta.width, height: meta.height, channels: meta.channels }).toEqual({
      width: 600,
      height: 400,
      channels: 4,
    });
    expect(await t.team(team.teamId)).toEqual({ balance: 1, reserved: 0 });
  });
});
