import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, type TestBackend } from '../backend/test/support/harness.ts';
import { type Slice, startSlice } from './support/slice.ts';

// remove.bg's endpoint on the real slice: a client written for remove.bg changes only its base URL and key.
let slice: Slice;
let t: TestBackend;

beforeAll(async () => {
  slice = await startSlice();
  t = slice.t;
});
afterAll(async () => {
  await slice?.close();
});

const removebg = (headers: Record<string, string>, fields: Record<string, string | Blob>) => {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  return t.request('/v1.0/removebg', { method: 'POST', headers, body: form });
};
const cat = () => new Blob([fixture('chelsea.png')]);

describe('POST /v1.0/removebg', () => {
  it("answers the cut-out itself, with remove.bg's headers, and charges once", async () => {
    const team = await t.newTeam(5);
    const res = await removebg({ 'X-Api-Key': team.apiKey }, { image_file: cat(), size: 'auto' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-credits-charged')).toBe('1');
    expect([res.headers.get('x-width'), res.headers.get('x-height')]).toEqual(['451', '300']);
    const box = ['top', 'left', 'width', 'height'].map((side) => Number(res.headers.get(`x-foreground-${side}`)));
    // The cat fills most of the frame but not all of it.
    expect(box[2]).toBeGreaterThan(100);
    expect(box[2]).toBeLessThanOrEqual(451);
    expect(box[3]).toBeGreaterThan(100);
    const png = Buffer.from(await res.arrayBuffer());
    const meta = await sharp(png).metadata();
    expect([meta.format, meta.width, meta.height, meta.hasAlpha]).toEqual(['png', 451, 300, true]);
    expect(await t.team(team.teamId)).toEqual({ balance: 4, reserved: 0 });
    // The work is an ordinary task in the team's history.
    const history = (await (await t.request('/api/v1/tasks', { headers: team.auth })).json()) as {
      data: Array<{ taskId: string; status: string }>;
    };
    expect(history.data).toEqual([
      expect.objectContaining({ taskId: res.headers.get('x-lumina-task-id'), status: 'COMPLETED' }),
    ]);
  });

  it('answers JSON with result_b64 for Accept: application/json, JPEG on a colour, capped by size', async () => {
    const team = await t.newTeam(5);
    const res = await removebg(
      { 'X-Api-Key': team.apiKey, Accept: 'application/json' },
      { image_file_b64: fixture('chelsea.png').toString('base64'), bg_color: '81d4fa', size: 'preview' },
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { result_b64: string; foreground_width: number } };
    const meta = await sharp(Buffer.from(body.data.result_b64, 'base64')).metadata();
    // format=auto with an opaque colour is JPEG, as on remove.bg; `preview` is at most 0.25 megapixels.
    expect(meta.format).toBe('jpeg');
    expect((meta.width ?? 0) * (meta.height ?? 0)).toBeLessThanOrEqual(250_000);
    expect(meta.width).toBe(Number(res.headers.get('x-width')));
    expect(body.data.foreground_width).toBeGreaterThan(0);
  });

  it('puts an uploaded bg_image_file behind the cat: the corners come from the background image', async () => {
    const team = await t.newTeam(5);
    // Same size as the photo, so covering it is the identity: the room's corners must become this orange.
    const orange = await sharp({ create: { width: 451, height: 300, channels: 3, background: '#ff8000' } })
      .png()
      .toBuffer();
    const res = await removebg(
      { 'X-Api-Key': team.apiKey },
      { image_file: cat(), bg_image_file: new Blob([orange]), format: 'png' },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('x-credits-charged')).toBe('1');
    const { data, info } = await sharp(Buffer.from(await res.arrayBuffer()))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([451, 300, 3]);
    const pixel = (x: number, y: number) => [...data.subarray((y * 451 + x) * 3, (y * 451 + x) * 3 + 3)];
    // The blurred room at the top corners is background; the cat's face is not.
    for (const [x, y] of [
      [440, 10],
      [5, 5],
    ] as const) {
      expect(pixel(x, y)).toEqual([255, 128, 0]);
    }
    expect(pixel(225, 140)).not.toEqual([255, 128, 0]);
    expect(await t.team(team.teamId)).toEqual({ balance: 4, reserved: 0 });
  });

  it("refuses a bad key with remove.bg's 403 and error shape", async () => {
    const res = await removebg({ 'X-Api-Key': 'lum_not_a_key' }, { image_file: cat() });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ errors: [{ title: expect.any(String), code: 'unauthorized' }] });
  });

  it('refuses what it does not support by name, before anything is stored or charged', async () => {
    const team = await t.newTeam(5);
    const unsupported: Array<Record<string, string | Blob>> = [
      { image_url: 'https://example.com/cat.jpg' },
      { image_file: cat(), format: 'zip' },
      { image_file: cat(), add_shadow: 'true' },
    ];
    for (const fields of unsupported) {
      const res = await removebg({ 'X-Api-Key': team.apiKey }, fields);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { errors: Array<{ code: string; title: string }> };
      expect(body.errors[0]?.code).toBe('invalid_request');
      expect(body.errors[0]?.title).toMatch(/^Not supported here: /);
    }
    expect(await t.team(team.teamId)).toEqual({ balance: 5, reserved: 0 });
  });

  it('answers unknown_foreground for an image without a subject, and charges nothing', async () => {
    const team = await t.newTeam(5);
    const grey = await sharp({ create: { width: 256, height: 256, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    const res = await removebg({ 'X-Api-Key': team.apiKey }, { image_file: new Blob([grey]) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe('unknown_foreground');
    expect(await t.team(team.teamId)).toEqual({ balance: 5, reserved: 0 });
  });
});
