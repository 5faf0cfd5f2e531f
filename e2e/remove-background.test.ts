import { TaskView } from '@lumina/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, processForm, type TestBackend } from '../backend/test/support/harness.ts';
import { fetchResult, type Slice, settledTask, startSlice, submit } from './support/slice.ts';

// One image from upload to a real background-removed result: the real API, PostgreSQL, BullMQ on Redis,
// object storage on disk, and the gpu-worker running ISNet through onnxruntime on CPU.
let slice: Slice;
let t: TestBackend;

beforeAll(async () => {
  slice = await startSlice();
  t = slice.t;
});
afterAll(async () => {
  await slice?.close();
});

/** Mean alpha (0–255) over a rectangle given in fractions of the image. */
async function meanAlpha(png: Buffer, box: { left: number; top: number; width: number; height: number }) {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const x0 = Math.round(box.left * info.width);
  const y0 = Math.round(box.top * info.height);
  const x1 = Math.round((box.left + box.width) * info.width);
  const y1 = Math.round((box.top + box.height) * info.height);
  let sum = 0;
  let count = 0;
  for (let y = y0; y < y1; y += 1) {
    for (let x = x0; x < x1; x += 1) {
      sum += data[(y * info.width + x) * info.channels + 3] ?? 0;
      count += 1;
    }
  }
  return sum / count;
}

describe('remove-background end to end', () => {
  it('cuts the cat out of chelsea.png, serves it at a signed URL and captures the credit once', async () => {
    const team = await t.newTeam(5);
    const photo = fixture('chelsea.png');
    const done = await settledTask(t, await submit(t, team.auth, photo), team.auth);
    expect(done.error).toBeUndefined();
    expect(done).toMatchObject({ status: 'COMPLETED', progress: 100, creditsDeducted: 1 });

    const result = await fetchResult(t, done.resultUrl);
    expect(result.type).toBe('image/png');
    const meta = await sharp(result.bytes).metadata();
    const original = await sharp(photo).metadata();
    expect({ format: meta.format, width: meta.width, height: meta.height, channels: meta.channels }).toEqual({
      format: 'png',
      width: original.width,
      height: original.height,
      channels: 4,
    });
    // chelsea.png: the cat's face sits in the middle-left; the top-right corner is background.
    expect(await meanAlpha(result.bytes, { left: 0.2, top: 0.2, width: 0.25, height: 0.35 })).toBeGreaterThan(200);
    expect(await meanAlpha(result.bytes, { left: 0.85, top: 0.0, width: 0.15, height: 0.15 })).toBeLessThan(60);

    expect(await t.team(team.teamId)).toEqual({ balance: 4, reserved: 0 });
    const ledger = (await t.ledger(team.teamId)).map((row) => row.kind);
    expect(ledger).toEqual(['grant', 'reserve', 'capture']);
  });

  it('answers with the finished task when Prefer: wait covers the work', async () => {
    const team = await t.newTeam(1);
    const res = await t.request('/api/v1/process', {
      method: 'POST',
      headers: { ...team.auth, prefer: 'wait=60' },
      body: processForm(fixture('horse.png'), { format: 'webp' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('preference-applied')).toBe('wait=60');
    const view = TaskView.parse(await res.json());
    expect(view.status).toBe('COMPLETED');
    expect(view.result?.format).toBe('webp');
    expect((await fetchResult(t, view.resultUrl)).type).toBe('image/webp');
  });

  it('streams the task over server-sent events until it ends', async () => {
    const team = await t.newTeam(1);
    const taskId = await submit(t, team.auth, fixture('fruits.jpg'));
    const res = await t.request(`/api/v1/tasks/${taskId}/events`, { headers: team.auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const text = await res.text(); // the stream closes itself once the task is settled
    const events = text
      .split('\n\n')
      .filter((block) => block.includes('event: task'))
      .map((block) =>
        TaskView.parse(
          JSON.parse(
            block
              .split('\n')
              .find((l) => l.startsWith('data: '))
              ?.slice(6) ?? '',
          ),
        ),
      );
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.at(-1)?.status).toBe('COMPLETED');
    expect(events.map((e) => e.status)).not.toContain('FAILED');
  });
});
