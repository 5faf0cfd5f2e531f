import { ErrorBody, SubmitTaskResponse } from '@lumina/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, processForm, type TestBackend } from '../backend/test/support/harness.ts';
import { fetchResult, type Slice, settledTask, startSlice } from './support/slice.ts';

// Upscaling through the API on the real converted ESRGAN weights, with a deliberately small output limit so
// the refusal path needs no huge image.
let slice: Slice;
let t: TestBackend;

beforeAll(async () => {
  slice = await startSlice({ MAX_OUTPUT_PIXELS: String(1024 * 1024) });
  t = slice.t;
});
afterAll(async () => {
  await slice?.close();
});

describe('upscale', () => {
  it('returns the picture twice as wide and tall, priced by output size and captured once', async () => {
    const team = await t.newTeam(5);
    const small = await sharp(fixture('chelsea.png')).resize(120, 80).png().toBuffer();
    const res = await t.request('/api/v1/process', {
      method: 'POST',
      headers: team.auth,
      body: processForm(small, { operation: 'upscale', scale: '2x' }),
    });
    expect(res.status).toBe(202);
    expect(res.headers.get('x-credits-charged')).toBe('2');
    const done = await settledTask(t, SubmitTaskResponse.parse(await res.json()).taskId, team.auth);
    expect(done.error).toBeUndefined();
    expect(done).toMatchObject({ status: 'COMPLETED', params: { scale: 2, model: 'slim', format: 'png' } });
    expect(done.result).toMatchObject({ width: 240, height: 160, format: 'png' });

    const file = (await fetchResult(t, done.resultUrl)).bytes;
    const meta = await sharp(file).metadata();
    expect({ width: meta.width, height: meta.height }).toEqual({ width: 240, height: 160 });
    // The same picture: close to a plain resize of the input, pixel for pixel.
    const reference = await sharp(small).resize(240, 160, { kernel: 'lanczos3' }).removeAlpha().raw().toBuffer();
    const upscaled = await sharp(file).removeAlpha().raw().toBuffer();
    let diff = 0;
    for (let i = 0; i < reference.length; i += 1) diff += Math.abs((reference[i] ?? 0) - (upscaled[i] ?? 0));
    expect(diff / reference.length).toBeLessThan(12);

    expect(await t.team(team.teamId)).toEqual({ balance: 3, reserved: 0 });
    expect((await t.ledger(team.teamId)).map((row) => row.kind)).toEqual(['grant', 'reserve', 'capture']);
  });

  it('refuses an output over the limit before storing or charging anything', async () => {
    const team = await t.newTeam(5);
    const inputsBefore = await t.backend.ctx.store.list('inputs/');
    const res = await t.request('/api/v1/process', {
      method: 'POST',
      headers: team.auth,
      body: processForm(fixture('coffee.png'), { operation: 'upscale', scale: '4' }),
    });
    expect(res.status).toBe(422);
    const body = ErrorBody.parse(await res.json());
    expect(body.error.code).toBe('output_too_large');
    expect(body.error.details).toMatchObject({ output: { width: 2400, height: 1600 } });
    expect(await t.team(team.teamId)).toEqual({ balance: 5, reserved: 0 });
    expect(await t.backend.ctx.store.list('inputs/')).toEqual(inputsBefore);
  });

  it('refuses a scale it does not offer', async () => {
    const team = await t.newTeam(5);
    const res = await t.request('/api/v1/process', {
      method: 'POST',
      headers: team.auth,
      body: processForm(fixture('horse.png'), { operation: 'upscale', scale: '3' }),
    });
    expect(res.status).toBe(400);
    expect(ErrorBody.parse(await res.json()).error.code).toBe('invalid_request');
  });
});
