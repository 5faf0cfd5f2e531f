import {
  Capabilities,
  ErrorBody,
  HealthResponse,
  OperationRequest,
  SubmitTaskResponse,
  TaskList,
  TaskView,
} from '@lumina/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, processForm, startTestBackend, type TestBackend } from './support/harness.ts';

let t: TestBackend;
const small = fixture('horse.png');
const other = fixture('home.jpg');

beforeAll(async () => {
  t = await startTestBackend();
});
afterAll(async () => {
  await t?.close();
});

const submit = (auth: Record<string, string>, image: Uint8Array = small, headers: Record<string, string> = {}) =>
  t.request('/api/v1/process', { method: 'POST', headers: { ...auth, ...headers }, body: processForm(image) });

describe('POST /api/v1/process', () => {
  it('queues a task, reserves its credits and says so in the credit headers', async () => {
    const team = await t.newTeam(5);
    const res = await submit(team.auth);
    expect(res.status).toBe(202);
    const body = SubmitTaskResponse.parse(await res.json());
    expect(body.status).toBe('QUEUED');
    expect(body.eta).toBeGreaterThan(0);
    expect(body.queuePosition).toBe(0);
    expect(res.headers.get('x-credits-charged')).toBe('1');
    expect(res.headers.get('x-credits-remaining')).toBe('4');
    expect(res.headers.get('location')).toBe(`/api/v1/tasks/${body.taskId}`);
    expect(await t.team(team.teamId)).toEqual({ balance: 4, reserved: 1 });
    const ledger = await t.ledger(team.teamId);
    expect(ledger.map((row) => [row.kind, row.balanceDelta, row.reservedDelta])).toEqual([
      ['grant', 5, 0],
      ['reserve', -1, 1],
    ]);
    expect(await t.backend.ctx.store.get(`inputs/${body.taskId}`)).not.toBeNull();
    expect((await t.backend.ctx.queue.snapshot(body.taskId, 'gpu')).state).toBe('waiting');
  });

  it('accepts the image as base64 JSON too', async () => {
    const team = await t.newTeam(1);
    const res = await t.request('/api/v1/process', {
      method: 'POST',
      headers: { ...team.auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        image: `data:image/png;base64,${small.toString('base64')}`,
        operation: 'remove-background',
        params: { format: 'webp' },
      }),
    });
    expect(res.status).toBe(202);
    const { taskId } = SubmitTaskResponse.parse(await res.json());
    expect((await t.taskRow(taskId))?.params).toEqual({ format: 'webp', crop: false, channels: 'rgba' });
    expect((await t.taskRow(taskId))?.outputKey).toBe(`results/${taskId}.webp`);
  });

  it('refuses an unknown operation or parameter with invalid_request and charges nothing', async () => {
    const team = await t.newTeam(3);
    const unknownOp = await t.request('/api/v1/process', {
      method: 'POST',
      headers: team.auth,
      body: processForm(small, { operation: 'paint-it-black' }),
    });
    expect(unknownOp.status).toBe(400);
    expect(ErrorBody.parse(await unknownOp.json()).error.code).toBe('invalid_request');
    const badParam = await t.request('/api/v1/process', {
      method: 'POST',
      headers: team.auth,
      body: processForm(small, { format: 'bmp' }),
    });
    expect(badParam.status).toBe(400);
    expect(await t.team(team.teamId)).toEqual({ balance: 3, reserved: 0 });
    expect(await t.backend.ctx.store.list('inputs/')).toEqual(
      expect.not.arrayContaining([expect.stringContaining(team.teamId)]),
    );
  });

  it('refuses bad remove-background options with 400 invalid_request naming the field, and charges nothing', async () => {
    const team = await t.newTeam(2);
    const cases: Array<[Record<string, string>, string]> = [
      [{ crop: 'maybe' }, 'params.crop'],
      [{ crop: 'true', crop_margin: '30em' }, 'params.crop_margin'],
      [{ crop: 'true', crop_margin: '80%' }, 'params.crop_margin'],
      [{ bg_color: 'not-a-colour' }, 'params.bg_color'],
      [{ channels: 'rgb' }, 'params.channels'],
      [{ channels: 'alpha', bg_color: 'white' }, 'params.bg_color'],
    ];
    for (const [fields, path] of cases) {
      const res = await t.request('/api/v1/process', {
        method: 'POST',
        headers: team.auth,
        body: processForm(small, fields),
      });
      expect(res.status).toBe(400);
      const { error } = ErrorBody.parse(await res.json());
      expect(error.code).toBe('invalid_request');
      expect(error.details?.issues).toEqual([expect.objectContaining({ path })]);
    }
    const json = await t.request('/api/v1/process', {
      method: 'POST',
      headers: { ...team.auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        image: small.toString('base64'),
        operation: 'remove-background',
        params: { crop: 'yes' },
      }),
    });
    expect(json.status).toBe(400);
    expect(await t.team(team.teamId)).toEqual({ balance: 2, reserved: 0 });
    expect(await t.ledger(team.teamId)).toHaveLength(1);
  });

  it('accepts remove-background options as form fields and stores them parsed', async () => {
    const team = await t.newTeam(1);
    const res = await t.request('/api/v1/process', {
      method: 'POST',
      headers: team.auth,
      body: processForm(small, { crop: 'true', crop_margin: '10%', bg_color: '#FFF', format: 'webp' }),
    });
    expect(res.status).toBe(202);
    const { taskId } = SubmitTaskResponse.parse(await res.json());
    expect((await t.taskRow(taskId))?.params).toEqual({
      format: 'webp',
      crop: true,
      crop_margin: '10%',
      bg_color: 'ffffff',
      channels: 'rgba',
    });
  });

  it('answers 401 in the error envelope without a valid key', async () => {
    const missing = await submit({});
    expect(missing.status).toBe(401);
    const body = ErrorBody.parse(await missing.json());
    expect(body.error.code).toBe('unauthorized');
    expect(body.error.requestId).toBe(missing.headers.get('x-request-id'));
    const wrong = await submit({ authorization: 'Bearer lum_not-a-key' });
    expect(wrong.status).toBe(401);
  });

  it('returns the same task for a replayed Idempotency-Key without charging twice', async () => {
    const team = await t.newTeam(5);
    const key = `idem-${Date.now()}`;
    const first = await submit(team.auth, small, { 'idempotency-key': key });
    const second = await submit(team.auth, small, { 'idempotency-key': key });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    const a = SubmitTaskResponse.parse(await first.json());
    const b = SubmitTaskResponse.parse(await second.json());
    expect(b.taskId).toBe(a.taskId);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.headers.get('x-credits-charged')).toBe('0');
    expect(await t.team(team.teamId)).toEqual({ balance: 4, reserved: 1 });

    const reused = await submit(team.auth, other, { 'idempotency-key': key });
    expect(reused.status).toBe(409);
    expect(ErrorBody.parse(await reused.json()).error.code).toBe('idempotency_key_reused');
    expect(await t.team(team.teamId)).toEqual({ balance: 4, reserved: 1 });
  });

  it('charges once when the same Idempotency-Key races itself', async () => {
    const team = await t.newTeam(5);
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => submit(team.auth, small, { 'idempotency-key': 'race-1' })),
    );
    const ids = await Promise.all(responses.map(async (r) => SubmitTaskResponse.parse(await r.json()).taskId));
    expect(new Set(ids).size).toBe(1);
    expect(await t.team(team.teamId)).toEqual({ balance: 4, reserved: 1 });
    expect(await t.backend.ctx.store.list('inputs/')).toContain(`inputs/${ids[0]}`);
  });

  it('accepts exactly as many of 30 parallel submits as the pool can pay for, never going negative', async () => {
    const team = await t.newTeam(10);
    const before = new Set(await t.backend.ctx.store.list('inputs/'));
    const responses = await Promise.all(Array.from({ length: 30 }, () => submit(team.auth)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(10);
    expect(statuses.filter((s) => s === 402)).toHaveLength(20);
    for (const res of responses.filter((r) => r.status === 402)) {
      expect(ErrorBody.parse(await res.json()).error.code).toBe('insufficient_credits');
    }
    expect(await t.team(team.teamId)).toEqual({ balance: 0, reserved: 10 });
    const ledger = await t.ledger(team.teamId);
    expect(ledger.filter((row) => row.kind === 'reserve')).toHaveLength(10);
    // The counters are exactly the sums of the ledger's deltas.
    expect({
      balance: ledger.reduce((sum, row) => sum + row.balanceDelta, 0),
      reserved: ledger.reduce((sum, row) => sum + row.reservedDelta, 0),
    }).toEqual({ balance: 0, reserved: 10 });
    // Refused submits leave no stored input behind.
    const added = (await t.backend.ctx.store.list('inputs/')).filter((key) => !before.has(key));
    expect(added).toHaveLength(10);
  });
});

describe('GET /api/v1/tasks', () => {
  it("answers another team's task with the same 404 as a missing one", async () => {
    const owner = await t.newTeam(1);
    const stranger = await t.newTeam(1);
    const { taskId } = SubmitTaskResponse.parse(await (await submit(owner.auth)).json());
    const foreign = await t.request(`/api/v1/tasks/${taskId}`, { headers: stranger.auth });
    const missing = await t.request('/api/v1/tasks/task_00000000000000000000000000', { headers: stranger.auth });
    expect(foreign.status).toBe(404);
    expect(missing.status).toBe(404);
    const a = ErrorBody.parse(await foreign.json()).error;
    const b = ErrorBody.parse(await missing.json()).error;
    expect({ code: a.code, message: a.message }).toEqual({ code: b.code, message: b.message });
    const own = await t.request(`/api/v1/tasks/${taskId}`, { headers: owner.auth });
    expect(own.status).toBe(200);
    const view = TaskView.parse(await own.json());
    expect(view).toMatchObject({ taskId, status: 'QUEUED', operation: 'remove-background', resultUrl: null });
    expect(view.creditsReserved).toBe(1);
    expect(view.creditsDeducted).toBe(0);
  });

  it('pages through the history newest first', async () => {
    const team = await t.newTeam(5);
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push(SubmitTaskResponse.parse(await (await submit(team.auth)).json()).taskId);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const page = TaskList.parse(await (await t.request(`/api/v1/tasks${query}`, { headers: team.auth })).json());
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((task) => task.taskId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });

  it('cancels a queued task, releases its credits and removes its job', async () => {
    const team = await t.newTeam(2);
    const { taskId } = SubmitTaskResponse.parse(await (await submit(team.auth)).json());
    const res = await t.request(`/api/v1/tasks/${taskId}/cancel`, { method: 'POST', headers: team.auth });
    expect(res.status).toBe(200);
    expect(TaskView.parse(await res.json())).toMatchObject({ status: 'CANCELED', creditsDeducted: 0 });
    expect(await t.team(team.teamId)).toEqual({ balance: 2, reserved: 0 });
    expect((await t.backend.ctx.queue.snapshot(taskId, 'gpu')).state).toBe('missing');
    const again = await t.request(`/api/v1/tasks/${taskId}/cancel`, { method: 'POST', headers: team.auth });
    expect(again.status).toBe(409);
    expect(ErrorBody.parse(await again.json()).error.code).toBe('task_not_cancelable');
  });
});

describe('CORS for the Figma iframe', () => {
  it('answers a preflight from Origin: null that asks for Authorization', async () => {
    const res = await t.request('/api/v1/process', {
      method: 'OPTIONS',
      headers: {
        origin: 'null',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, idempotency-key, content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it('exposes the credit headers to the iframe', async () => {
    const team = await t.newTeam(1);
    const res = await submit({ ...team.auth, origin: 'null' });
    expect(res.status).toBe(202);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const exposed = res.headers.get('access-control-expose-headers')?.toLowerCase() ?? '';
    expect(exposed).toContain('x-credits-charged');
    expect(exposed).toContain('x-credits-remaining');
  });
});

describe('signed result URLs', () => {
  it('serve a result without the bearer header until they expire', async () => {
    const key = `results/task_${'0'.repeat(26)}.png`;
    await t.backend.ctx.store.put(key, small, 'image/png');
    const fresh = t.backend.ctx.signedUrls.sign(key, 60);
    const ok = await t.request(new URL(fresh.url).pathname + new URL(fresh.url).search);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/png');
    expect(ok.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(Buffer.from(await ok.arrayBuffer()).equals(small)).toBe(true);

    const stale = t.backend.ctx.signedUrls.sign(key, 60, { now: new Date(Date.now() - 120_000) });
    const expired = await t.request(new URL(stale.url).pathname + new URL(stale.url).search);
    expect(expired.status).toBe(403);
    expect(ErrorBody.parse(await expired.json()).error.code).toBe('invalid_signature');

    const tampered = new URL(fresh.url);
    tampered.searchParams.set('expires', String(Number(tampered.searchParams.get('expires')) + 3600));
    expect((await t.request(tampered.pathname + tampered.search)).status).toBe(403);
  });

  it('never serve inputs, signed or not', async () => {
    const key = 'inputs/task_x';
    await t.backend.ctx.store.put(key, small, 'image/png');
    const signed = new URL(t.backend.ctx.signedUrls.sign(key, 60).url);
    expect((await t.request(signed.pathname + signed.search)).status).toBe(404);
  });
});

describe('service endpoints', () => {
  it('lists background removal and upscaling as unavailable, with the reason, while no gpu-worker is live', async () => {
    const bare = await startTestBackend({}, { background: false });
    try {
      const before = Capabilities.parse(await (await bare.request('/api/v1/capabilities')).json());
      for (const operation of ['remove-background', 'upscale'] as const) {
        const listed = before.operations.find((op) => op.operation === operation);
        expect(listed?.available).toBe(false);
        expect(listed?.reason).toContain('No gpu-worker is running');
      }
      await bare.announceGpuWorker();
      const after = Capabilities.parse(await (await bare.request('/api/v1/capabilities')).json());
      expect(after.operations.filter((op) => op.available).map((op) => op.operation)).toEqual([
        'remove-background',
        'upscale',
      ]);
    } finally {
      await bare.close();
    }
  });

  it('publishes capabilities without authentication', async () => {
    const res = await t.request('/api/v1/capabilities');
    expect(res.status).toBe(200);
    const body = Capabilities.parse(await res.json());
    expect(body.operations[0]).toMatchObject({ operation: 'remove-background', credits: 1 });
    expect(body.operations[0]?.params.map((p) => p.name)).toEqual([
      'format',
      'crop',
      'crop_margin',
      'bg_color',
      'channels',
    ]);
    expect(body.operations[0]?.params.find((p) => p.name === 'channels')).toMatchObject({
      type: 'enum',
      values: ['rgba', 'alpha'],
      default: 'rgba',
    });
    expect(body.operations[0]?.params.find((p) => p.name === 'bg_color')?.values).toContain('white');
    expect(body.limits.maxUploadBytes).toBe(25 * 1024 * 1024);
  });

  it('gives every enumerated or on/off parameter a default the operation accepts, so an untouched form can send', async () => {
    const body = Capabilities.parse(await (await t.request('/api/v1/capabilities')).json());
    for (const capability of body.operations) {
      const params: Record<string, string | boolean> = {};
      for (const param of capability.params) {
        if (param.type === 'enum' || param.type === 'boolean') {
          expect(param.default, `${capability.operation}.${param.name}`).toBeDefined();
          expect(param.type === 'boolean' || param.values?.includes(String(param.default))).toBe(true);
        }
        if (param.default !== undefined) params[param.name] = param.default;
      }
      if (capability.operation === 'magic-edit') params.prompt = 'make it sunset';
      expect(OperationRequest.safeParse({ operation: capability.operation, params }).success).toBe(true);
    }
    const scale = body.operations.find((o) => o.operation === 'upscale')?.params.find((p) => p.name === 'scale');
    expect(scale?.default).toBe('2');
  });

  it('is ready when Postgres, Redis and storage answer, and says when no gpu-worker is up', async () => {
    const res = await t.request('/readyz');
    expect(res.status).toBe(200);
    const body = HealthResponse.parse(await res.json());
    expect(body).toMatchObject({ status: 'ok', workers: [] });
    expect(body.checks?.workers).toEqual({ ok: true, detail: expect.stringContaining('no gpu-worker') });
    expect((await t.request('/healthz')).status).toBe(200);
  });
});
