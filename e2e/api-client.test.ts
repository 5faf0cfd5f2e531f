import { createLuminaClient, LuminaApiError, type TaskView } from '@lumina/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantCredits } from '../backend/src/services/billing/grant-credits.ts';
import { type GeminiStandIn, imageReply } from '../backend/test/support/gemini-stand-in.ts';
import { fixture } from '../backend/test/support/harness.ts';
import { type EditingBackend, serveEditingBackend, signUpAndApprover } from './support/served-backend.ts';

// The typed client in shared/src/client against the real backend over real HTTP: magic edit completes through
// the edit worker (Gemini is replaced by its wire-protocol stand-in); upscale stays queued (no gpu-worker here).
const geminiKey = 'client-test-key';
const editPrice = 4;
let served: EditingBackend;
let gemini: GeminiStandIn;

beforeAll(async () => {
  served = await serveEditingBackend({ geminiKey, priceMagicEdit: editPrice });
  gemini = served.gemini;
});
afterAll(async () => {
  await served?.close();
});

const png = (bytes: Uint8Array) => new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/png' });

describe('the typed API client', () => {
  it('reads the capabilities, parsed with the shared schema', async () => {
    const capabilities = await createLuminaClient({ baseUrl: served.origin }).capabilities();
    expect(capabilities.operations.map((operation) => operation.operation).sort()).toEqual([
      'magic-edit',
      'remove-background',
      'upscale',
    ]);
    expect(capabilities.operations.find((operation) => operation.operation === 'magic-edit')).toMatchObject({
      available: true,
      credits: editPrice,
    });
  });

  it('submits a Blob as multipart, follows the task to its end and downloads the result', async () => {
    const team = await served.t.newTeam(10);
    const orange = await sharp({ create: { width: 451, height: 300, channels: 3, background: '#ff7800' } })
      .png()
      .toBuffer();
    gemini.script(imageReply(orange));
    const client = createLuminaClient({ baseUrl: served.origin, token: team.apiKey });

    const submitted = await client.submit({
      image: png(fixture('chelsea.png')),
      operation: 'magic-edit',
      params: { prompt: 'make it orange' },
    });
    expect(submitted.task.taskId).toMatch(/^task_/);
    expect(submitted).toMatchObject({ creditsCharged: editPrice, creditsRemaining: 10 - editPrice });

    const seen: TaskView[] = [];
    const done = await client.waitForTask(submitted.task.taskId, { onUpdate: (view) => seen.push(view) });
    expect(done).toMatchObject({
      status: 'COMPLETED',
      creditsDeducted: editPrice,
      result: { width: 451, height: 300 },
    });
    expect(seen.at(-1)).toEqual(done);

    const bytes = await client.download(done.resultUrl ?? '');
    const meta = await sharp(bytes).metadata();
    expect({ format: meta.format, width: meta.width, height: meta.height }).toEqual({
      format: 'png',
      width: 451,
      height: 300,
    });
    expect(await served.t.team(team.teamId)).toEqual({ balance: 10 - editPrice, reserved: 0 });
  });

  it("reads the API key's team pool: what is spendable and what tasks in flight hold", async () => {
    const team = await served.t.newTeam(6);
    const client = createLuminaClient({ baseUrl: served.origin, token: team.apiKey });
    const { task, creditsCharged } = await client.submit({
      image: png(fixture('chelsea.png')),
      operation: 'upscale',
      params: { scale: 2 },
    });
    const held = creditsCharged ?? Number.NaN;
    expect(await client.billing()).toMatchObject({ balance: 6 - held, reserved: held });
    await client.cancelTask(task.taskId);
    expect(await client.billing()).toMatchObject({ balance: 6, reserved: 0 });
  });

  it('cancels a queued task, which then costs nothing', async () => {
    const team = await served.t.newTeam(5);
    const client = createLuminaClient({ baseUrl: served.origin, token: team.apiKey });
    const { task } = await client.submit({
      image: png(fixture('chelsea.png')),
      operation: 'upscale',
      params: { scale: 2 },
    });
    const canceled = await client.cancelTask(task.taskId);
    expect(canceled).toMatchObject({ status: 'CANCELED', creditsDeducted: 0 });
    expect(await served.t.team(team.teamId)).toEqual({ balance: 5, reserved: 0 });
  });

  it('stops waiting when the signal aborts, with the code `aborted`', async () => {
    const team = await served.t.newTeam(5);
    const client = createLuminaClient({ baseUrl: served.origin, token: team.apiKey });
    const { task } = await client.submit({
      image: png(fixture('chelsea.png')),
      operation: 'upscale',
      params: { scale: 2 },
    });
    const controller = new AbortController();
    const waiting = client.waitForTask(task.taskId, { signal: controller.signal, onUpdate: () => controller.abort() });
    await expect(waiting).rejects.toMatchObject({ name: 'LuminaApiError', code: 'aborted' });
    await client.cancelTask(task.taskId);
  });

  it('turns every error answer into a LuminaApiError with the stable code, status and request id', async () => {
    const broke = await served.t.newTeam(1);
    const client = createLuminaClient({ baseUrl: served.origin, token: broke.apiKey });
    const refused = await client
      .submit({ image: png(fixture('chelsea.png')), operation: 'magic-edit', params: { prompt: 'add a hat' } })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(LuminaApiError);
    expect(refused).toMatchObject({ code: 'insufficient_credits', status: 402 });
    expect((refused as LuminaApiError).requestId).toMatch(/\S/);

    const stranger = createLuminaClient({ baseUrl: served.origin, token: 'lum_not-a-real-key' });
    await expect(stranger.getTask('task_00000000000000000000000000')).rejects.toMatchObject({
      code: 'unauthorized',
      status: 401,
    });
    // An API key acts for a team, not a person: /me is for plugin sessions.
    await expect(client.me()).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('reports an unreachable server as `network_error`', async () => {
    const offline = createLuminaClient({ baseUrl: 'http://127.0.0.1:9', token: 'lum_x' });
    await expect(offline.capabilities()).rejects.toMatchObject({ code: 'network_error', status: 0 });
  });

  it('pairs a plugin: pending, slow_down when polled too fast, then the token once approved', async () => {
    const person = await signUpAndApprover(served);
    await grantCredits({ ctx: served.t.backend.ctx, input: { teamId: person.personalTeamId, credits: 7 } });
    const client = createLuminaClient({ baseUrl: served.origin });
    const pairing = await client.startPairing({ client: 'figma' });
    expect(pairing.verificationUriComplete).toContain(pairing.userCode);

    expect(await client.pollPairing(pairing.pollSecret)).toEqual({ status: 'pending' });
    expect(await client.pollPairing(pairing.pollSecret)).toEqual({ status: 'slow_down' });

    await person.approve(pairing.userCode);
    const intervals: number[] = [];
    const token = await client.waitForPairing(pairing, { onWait: (seconds) => intervals.push(seconds) });
    expect(token.teamId).toBe(person.personalTeamId);
    expect(intervals[0]).toBe(pairing.interval);

    const me = await client.withToken(token.token).me();
    expect(me.activeTeamId).toBe(person.personalTeamId);
    expect(me.teams).toEqual([expect.objectContaining({ id: person.personalTeamId, balance: 7 })]);
    await expect(client.pollPairing(pairing.pollSecret)).rejects.toMatchObject({ code: 'pairing_consumed' });
  });
});
