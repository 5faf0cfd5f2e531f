import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, type TestBackend } from '../backend/test/support/harness.ts';
import { startS3rver, testBucket } from '../backend/test/support/s3rver.ts';
import { fetchResult, type Slice, settledTask, startSlice, submit } from './support/slice.ts';

// The same slice with S3 object storage, configured only through the environment as an operator would:
// the backend stores the input in the bucket, the worker reads it there and writes the result back.
let s3: Awaited<ReturnType<typeof startS3rver>>;
let slice: Slice;
let t: TestBackend;

beforeAll(async () => {
  s3 = await startS3rver();
  slice = await startSlice({
    S3_BUCKET: testBucket,
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
  });
  t = slice.t;
  expect(t.config.storage.kind).toBe('s3');
});
afterAll(async () => {
  await slice?.close();
  await s3?.close();
});

describe('remove-background on S3 storage', () => {
  it('completes with the input and the result in the bucket, served through the signed URL', async () => {
    const team = await t.newTeam(2);
    const taskId = await submit(t, team.auth, fixture('coffee.png'));
    const done = await settledTask(t, taskId, team.auth);
    expect(done.status).toBe('COMPLETED');
    expect(await t.backend.ctx.store.list(`results/${taskId}`)).toEqual([`results/${taskId}.png`]);
    expect(await t.backend.ctx.store.list(`inputs/${taskId}`)).toEqual([`inputs/${taskId}`]);

    const meta = await sharp((await fetchResult(t, done.resultUrl)).bytes).metadata();
    expect({ width: meta.width, height: meta.height, channels: meta.channels }).toEqual({
      width: 600,
      height: 400,
      channels: 4,
    });
    expect(await t.team(team.teamId)).toEqual({ balance: 1, reserved: 0 });
  });
});
