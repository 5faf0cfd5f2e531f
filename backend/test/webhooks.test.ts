import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import {
  InviteCreated,
  SubmitTaskResponse,
  TaskView,
  WebhookDeliveryList,
  WebhookDeliveryView,
  WebhookEndpointList,
  WebhookEndpointUpdated,
  WebhookEndpointWithSecret,
} from '@lumina/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { webhookDeliveries } from '../src/db/schema.ts';
import { type EditWorker, startEditWorker } from '../src/edit/edit-worker.ts';
import { loadEditWorkerConfig } from '../src/edit/edit-worker-config.ts';
import { newId } from '../src/ids.ts';
import { grantCredits } from '../src/services/billing/grant-credits.ts';
import { isPrivateAddress } from '../src/webhooks/private-address.ts';
import { type Browser, dashboardJson, errorCodeOf, signUpBrowser } from './support/accounts.ts';
import { type GeminiStandIn, imageReply, promptBlockedReply, startGeminiStandIn } from './support/gemini-stand-in.ts';
import { eventually, fixture, processForm, startTestBackend, type TestBackend } from './support/harness.ts';
import { type Receiver, startReceiver, verifyStandardWebhook } from './support/webhook-receiver.ts';

const apiKey = 'test-gemini-key';
let t: TestBackend;
let gemini: GeminiStandIn;
let worker: EditWorker;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  gemini = await startGeminiStandIn(apiKey);
  t = await startTestBackend({
    GEMINI_API_KEY: apiKey,
    GEMINI_BASE_URL: gemini.url,
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    // Three attempts: at once, then 50 ms and 100 ms later (the real schedule spans a day).
    WEBHOOK_RETRY_SCHEDULE_MS: '0,50,100',
    WEBHOOK_TIMEOUT_MS: '1000',
  });
  worker = startEditWorker({ config: loadEditWorkerConfig(t.env), store: t.backend.ctx.store, log: t.backend.ctx.log });
  await worker.ready;
});
afterAll(async () => {
  await worker?.close();
  await t?.close();
  await gemini?.close();
  await receiver?.close();
});

/** A signed-up owner whose personal team has credits. */
async function owner(name = 'Olga'): Promise<Browser> {
  const browser = await signUpBrowser(t, name);
  await grantCredits({ ctx: t.backend.ctx, input: { teamId: browser.personalTeamId, credits: 50 } });
  return browser;
}

async function addEndpoint(by: Browser, body: Record<string, unknown>) {
  const res = await t.request('/api/v1/webhooks', dashboardJson(by, 'POST', body));
  expect(res.status).toBe(201);
  return WebhookEndpointWithSecret.parse(await res.json());
}

async function deliveries(by: Browser, endpointId: string) {
  const res = await t.request(`/api/v1/webhooks/${endpointId}/deliveries`, { headers: by.headers() });
  expect(res.status).toBe(200);
  return WebhookDeliveryList.parse(await res.json()).deliveries;
}

/** Waits until the endpoint's only delivery has finished (succeeded or failed) and returns it. */
const finishedDelivery = (by: Browser, endpointId: string) =>
  eventually(async () => {
    const [delivery] = await deliveries(by, endpointId);
    return delivery && delivery.status !== 'pending' ? delivery : undefined;
  }, 30_000);

/** A magic edit submitted from the dashboard session, waited on until it settles. */
async function settledEdit(by: Browser) {
  const res = await t.request('/api/v1/process', {
    method: 'POST',
    headers: by.headers(),
    body: processForm(fixture('chelsea.png'), { operation: 'magic-edit', prompt: 'make it sunset' }),
  });
  expect(res.status).toBe(202);
  const { taskId } = SubmitTaskResponse.parse(await res.json());
  return eventually(async () => {
    const view = TaskView.parse(await (await t.request(`/api/v1/tasks/${taskId}`, { headers: by.headers() })).json());
    return view.status === 'COMPLETED' || view.status === 'FAILED' ? view : undefined;
  }, 30_000);
}

const orange = () =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 255, g: 120, b: 0 } } })
    .png()
    .toBuffer();

describe('task events', () => {
  it('delivers task.completed with Standard Webhooks headers that an independent verifier accepts', async () => {
    const olga = await owner();
    const hook = receiver.endpoint(200);
    const created = await addEndpoint(olga, { url: hook.url });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(created.secret.slice(6), 'base64')).toHaveLength(24);
    expect(created.eventTypes).toEqual(['task.completed', 'task.failed']);
    // Subscribed to failures only: a completion must not reach it.
    const failuresOnly = await addEndpoint(olga, { url: receiver.endpoint(200).url, eventTypes: ['task.failed'] });

    gemini.script(imageReply(await orange()));
    const task = await settledEdit(olga);
    expect(task.status).toBe('COMPLETED');

    const [request] = await eventually(async () => (hook.got().length > 0 ? hook.got() : undefined));
    if (!request) throw new Error('no request');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['webhook-id']).toMatch(/^msg_[0-9a-z]{26}$/);
    expect(request.headers['webhook-timestamp']).toMatch(/^\d{10}$/);
    expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(verifyStandardWebhook(created.secret, request.headers, request.body)).toBe(true);
    // The verifier is not vacuous: another body, another secret or another id fail it.
    expect(verifyStandardWebhook(created.secret, request.headers, request.body.replace('COMPLETED', 'FAILED'))).toBe(
      false,
    );
    expect(verifyStandardWebhook(failuresOnly.secret, request.headers, request.body)).toBe(false);
    expect(verifyStandardWebhook(created.secret, { ...request.headers, 'webhook-id': 'msg_other' }, request.body)).toBe(
      false,
    );

    expect(JSON.parse(request.body)).toEqual({
      type: 'task.completed',
      timestamp: task.finishedAt,
      data: {
        taskId: task.taskId,
        status: 'COMPLETED',
        operation: 'magic-edit',
        creditsDeducted: task.creditsDeducted,
        finishedAt: task.finishedAt,
        result: task.result,
      },
    });

    const delivery = await finishedDelivery(olga, created.id);
    expect(delivery).toMatchObject({
      id: request.headers['webhook-id'],
      eventType: 'task.completed',
      status: 'succeeded',
      attempts: 1,
      lastHttpStatus: 200,
      lastError: null,
      nextAttemptAt: null,
    });
    expect(delivery.deliveredAt).not.toBeNull();
    // Deliveries are written in the transaction that settles the task, so none exists now means none ever will.
    expect(await deliveries(olga, failuresOnly.id)).toEqual([]);
  });

  it('delivers task.failed with the task error when a task fails', async () => {
    const olga = await owner();
    const hook = receiver.endpoint(204);
    const created = await addEndpoint(olga, { url: hook.url, eventTypes: ['task.failed'] });

    gemini.script(promptBlockedReply('SAFETY'));
    const task = await settledEdit(olga);
    expect(task.status).toBe('FAILED');

    const delivery = await finishedDelivery(olga, created.id);
    expect(delivery).toMatchObject({ eventType: 'task.failed', status: 'succeeded', attempts: 1, lastHttpStatus: 204 });
    const [request] = hook.got();
    if (!request) throw new Error('no request');
    expect(verifyStandardWebhook(created.secret, request.headers, request.body)).toBe(true);
    expect(JSON.parse(request.body)).toMatchObject({
      type: 'task.failed',
      data: { taskId: task.taskId, status: 'FAILED', creditsDeducted: 0, error: { code: 'prompt_blocked' } },
    });
  });
});

describe('retries', () => {
  it('retries a failing receiver (500, 500, then 200): exactly 3 attempts, one message id, then succeeded', async () => {
    const olga = await owner();
    const hook = receiver.endpoint(500, 500, 200);
    const created = await addEndpoint(olga, { url: hook.url });

    const res = await t.request(`/api/v1/webhooks/${created.id}/test`, dashboardJson(olga, 'POST'));
    expect(res.status).toBe(202);
    const queued = WebhookDeliveryView.parse(await res.json());
    expect(queued).toMatchObject({ eventType: 'webhook.test', status: 'pending', attempts: 0 });

    const delivery = await finishedDelivery(olga, created.id);
    expect(delivery).toMatchObject({ id: queued.id, status: 'succeeded', attempts: 3, lastHttpStatus: 200 });
    const requests = hook.got();
    expect(requests).toHaveLength(3);
    for (const request of requests) {
      expect(request.headers['webhook-id']).toBe(queued.id);
      expect(verifyStandardWebhook(created.secret, request.headers, request.body)).toBe(true);
      expect(JSON.parse(request.body)).toMatchObject({ type: 'webhook.test', data: { endpointId: created.id } });
    }
    const metrics = await (
      await t.request('/metrics', { headers: { authorization: `Bearer ${t.env.METRICS_TOKEN}` } })
    ).text();
    expect(metrics).toMatch(/^lumina_webhook_attempts_total\{event="webhook.test",outcome="retrying"\} [1-9]/m);
    expect(metrics).toMatch(/^lumina_webhook_attempts_total\{event="webhook.test",outcome="succeeded"\} [1-9]/m);
  });

  it('fails a delivery after the last attempt of the schedule when the receiver always fails', async () => {
    const olga = await owner();
    const hook = receiver.endpoint(503);
    const created = await addEndpoint(olga, { url: hook.url });
    expect((await t.request(`/api/v1/webhooks/${created.id}/test`, dashboardJson(olga, 'POST'))).status).toBe(202);

    const delivery = await finishedDelivery(olga, created.id);
    expect(delivery).toMatchObject({
      status: 'failed',
      attempts: 3,
      lastHttpStatus: 503,
      lastError: 'HTTP 503',
      nextAttemptAt: null,
      deliveredAt: null,
    });
    expect(hook.got()).toHaveLength(3);
  });

  it('counts a receiver that does not answer within the timeout as a failed attempt', async () => {
    const olga = await owner();
    const hook = receiver.endpoint('hang');
    const created = await addEndpoint(olga, { url: hook.url });
    expect((await t.request(`/api/v1/webhooks/${created.id}/test`, dashboardJson(olga, 'POST'))).status).toBe(202);

    const delivery = await finishedDelivery(olga, created.id);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 3, lastHttpStatus: null });
    expect(delivery.lastError).toMatch(/No answer within 1000 ms/);
    expect(hook.got()).toHaveLength(3);
  });
});

describe('secret rotation', () => {
  it('signs with the new and the previous secret for a day after a rotation', async () => {
    const olga = await owner();
    const hook = receiver.endpoint(200);
    const created = await addEndpoint(olga, { url: hook.url });
    const res = await t.request(`/api/v1/webhooks/${created.id}`, dashboardJson(olga, 'PATCH', { rotateSecret: true }));
    expect(res.status).toBe(200);
    const rotated = WebhookEndpointUpdated.parse(await res.json());
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.secret);
    const expiresInHours = (Date.parse(rotated.previousSecretExpiresAt ?? '') - Date.now()) / 3_600_000;
    expect(expiresInHours).toBeGreaterThan(23.9);
    expect(expiresInHours).toBeLessThanOrEqual(24);

    expect((await t.request(`/api/v1/webhooks/${created.id}/test`, dashboardJson(olga, 'POST'))).status).toBe(202);
    await finishedDelivery(olga, created.id);
    const [request] = hook.got();
    if (!request) throw new Error('no request');
    expect(String(request.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifyStandardWebhook(rotated.secret ?? '', request.headers, request.body)).toBe(true);
    expect(verifyStandardWebhook(created.secret, request.headers, request.body)).toBe(true);
  });
});

describe('who may manage webhooks', () => {
  it("keeps a team's endpoints from other teams (404), members (403) and API key writes (403)", async () => {
    const olga = await owner();
    const created = await addEndpoint(olga, { url: receiver.endpoint(200).url });
    const paths = [
      ['PATCH', `/api/v1/webhooks/${created.id}`, { enabled: false }],
      ['DELETE', `/api/v1/webhooks/${created.id}`, undefined],
      ['GET', `/api/v1/webhooks/${created.id}/deliveries`, undefined],
      ['POST', `/api/v1/webhooks/${created.id}/test`, undefined],
    ] as const;

    // Another team's owner: the endpoint does not exist for them.
    const stranger = await owner('Sam');
    const theirs = await t.request('/api/v1/webhooks', { headers: stranger.headers() });
    expect(WebhookEndpointList.parse(await theirs.json()).webhooks).toEqual([]);
    for (const [method, path, body] of paths) {
      const res = await t.request(path, dashboardJson(stranger, method, body));
      expect([method, path, res.status]).toEqual([method, path, 404]);
      expect(await errorCodeOf(res)).toBe('not_found');
    }

    // A member of Olga's team: known to be there, but not allowed.
    const invite = await t.request(
      `/api/v1/teams/${olga.personalTeamId}/invites`,
      dashboardJson(olga, 'POST', { role: 'member' }),
    );
    expect(invite.status).toBe(201);
    const token = new URL(InviteCreated.parse(await invite.json()).link).searchParams.get('token');
    const mia = await signUpBrowser(t, 'Mia');
    expect((await t.request('/api/v1/invites/accept', dashboardJson(mia, 'POST', { token }))).status).toBe(200);
    const asMember = { 'lumina-team': olga.personalTeamId };
    const list = await t.request('/api/v1/webhooks', { headers: mia.headers(asMember) });
    expect(list.status).toBe(403);
    const add = await t.request(
      '/api/v1/webhooks',
      dashboardJson(mia, 'POST', { url: 'https://example.com/' }, asMember),
    );
    expect(add.status).toBe(403);
    for (const [method, path, body] of paths) {
      const res = await t.request(path, dashboardJson(mia, method, body, asMember));
      expect([method, path, res.status]).toEqual([method, path, 403]);
    }

    // An API key of the team reads, and cannot change anything.
    const keyRes = await t.request(
      `/api/v1/teams/${olga.personalTeamId}/api-keys`,
      dashboardJson(olga, 'POST', { name: 'ci' }),
    );
    const key = ((await keyRes.json()) as { secret: string }).secret;
    const auth = { authorization: `Bearer ${key}` };
    const read = await t.request('/api/v1/webhooks', { headers: auth });
    expect(read.status).toBe(200);
    expect(WebhookEndpointList.parse(await read.json()).webhooks.map((w) => w.id)).toEqual([created.id]);
    expect((await t.request(`/api/v1/webhooks/${created.id}/deliveries`, { headers: auth })).status).toBe(200);
    const write = await t.request(`/api/v1/webhooks/${created.id}/test`, { method: 'POST', headers: auth });
    expect(write.status).toBe(403);

    // The owner still sees it unchanged, then deletes it.
    const [mine] = WebhookEndpointList.parse(
      await (await t.request('/api/v1/webhooks', { headers: olga.headers() })).json(),
    ).webhooks;
    expect(mine).toMatchObject({ id: created.id, enabled: true });
    expect((await t.request(`/api/v1/webhooks/${created.id}`, dashboardJson(olga, 'DELETE'))).status).toBe(204);
    expect((await t.request(`/api/v1/webhooks/${created.id}/deliveries`, { headers: olga.headers() })).status).toBe(
      404,
    );
  });

  it('never lists the secret after creation', async () => {
    const olga = await owner();
    await addEndpoint(olga, { url: receiver.endpoint(200).url, description: 'orders' });
    const body = await (await t.request('/api/v1/webhooks', { headers: olga.headers() })).text();
    expect(body).toContain('orders');
    expect(body).not.toContain('whsec_');
  });
});

describe('webhook URLs', () => {
  it('refuses loopback and private addresses unless the deployment allows them, and non-http URLs', async () => {
    const strict = await startTestBackend({}, { background: false });
    try {
      const olga = await signUpBrowser(strict, 'Olga');
      for (const url of [
        'http://127.0.0.1:9/hook',
        'http://localhost/hook',
        'http://10.1.2.3/hook',
        'http://169.254.169.254/latest/meta-data',
        'http://[::1]/hook',
        'http://[::ffff:192.168.0.1]/hook',
        'https://user:pass@example.com/hook',
      ]) {
        const res = await strict.request('/api/v1/webhooks', dashboardJson(olga, 'POST', { url }));
        expect([url, res.status, await errorCodeOf(res)]).toEqual([url, 400, 'webhook_url_refused']);
      }
      const ftp = await strict.request('/api/v1/webhooks', dashboardJson(olga, 'POST', { url: 'ftp://example.com/' }));
      expect(ftp.status).toBe(400);
      for (const url of [
        'https://hooks.example.com/lumina',
        'https://93.184.216.34/hook',
        'http://[2606:4700::1111]/',
      ]) {
        const ok = await strict.request('/api/v1/webhooks', dashboardJson(olga, 'POST', { url }));
        expect([url, ok.status]).toEqual([url, 201]);
      }
    } finally {
      await strict.close();
    }
  });

  it('refuses to send to a host name that resolves to a private address (checked on the connection itself)', async () => {
    // This machine's own name resolves to loopback or a private network address wherever tests run.
    const addresses = await lookup(hostname(), { all: true });
    expect(addresses.length).toBeGreaterThan(0);
    expect(addresses.filter((entry) => !isPrivateAddress(entry.address))).toEqual([]);

    const strict = await startTestBackend({ WEBHOOK_RETRY_SCHEDULE_MS: '0' });
    try {
      const olga = await signUpBrowser(strict, 'Olga');
      const hook = receiver.endpoint(200);
      const url = hook.url.replace('127.0.0.1', hostname());
      const res = await strict.request('/api/v1/webhooks', dashboardJson(olga, 'POST', { url }));
      expect(res.status).toBe(201);
      const created = WebhookEndpointWithSecret.parse(await res.json());
      expect((await strict.request(`/api/v1/webhooks/${created.id}/test`, dashboardJson(olga, 'POST'))).status).toBe(
        202,
      );
      const delivery = await eventually(async () => {
        const list = await strict.request(`/api/v1/webhooks/${created.id}/deliveries`, { headers: olga.headers() });
        const [first] = WebhookDeliveryList.parse(await list.json()).deliveries;
        return first && first.status !== 'pending' ? first : undefined;
      });
      expect(delivery).toMatchObject({ status: 'failed', attempts: 1, lastHttpStatus: null });
      expect(delivery.lastError).toMatch(/resolves to a private address/);
      expect(hook.got()).toEqual([]);
    } finally {
      await strict.close();
    }
  });
});

describe('the sweep', () => {
  it('sends a pending delivery whose queue job was lost (committed, never enqueued)', async () => {
    // A database of its own: the sweep looks at every pending delivery in its database.
    const own = await startTestBackend(
      { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', RECONCILE_INTERVAL_MS: '100', RECONCILE_GRACE_MS: '0' },
      { ownDatabase: true },
    );
    try {
      const olga = await signUpBrowser(own, 'Olga');
      const hook = receiver.endpoint(200);
      const res = await own.request('/api/v1/webhooks', dashboardJson(olga, 'POST', { url: hook.url }));
      const created = WebhookEndpointWithSecret.parse(await res.json());
      // What a crash between the settling commit and the enqueue leaves behind: the row, and no job.
      const id = newId('msg');
      await own.backend.ctx.db.insert(webhookDeliveries).values({
        id,
        endpointId: created.id,
        eventType: 'task.completed',
        payload: { type: 'task.completed', timestamp: new Date().toISOString(), data: { taskId: 'task_x' } },
        nextAttemptAt: new Date(Date.now() - 1000),
      });
      const [request] = await eventually(async () => (hook.got().length > 0 ? hook.got() : undefined));
      expect(request?.headers['webhook-id']).toBe(id);
      expect(request && verifyStandardWebhook(created.secret, request.headers, request.body)).toBe(true);
      const delivered = await eventually(async () => {
        const res = await own.request(`/api/v1/webhooks/${created.id}/deliveries`, { headers: olga.headers() });
        const [delivery] = WebhookDeliveryList.parse(await res.json()).deliveries;
        return delivery?.status === 'succeeded' ? delivery : undefined;
      });
      expect(delivered.attempts).toBe(1);
      expect(hook.got()).toHaveLength(1);
    } finally {
      await own.close();
    }
  });
});

describe('configuration', () => {
  it('retries on the Standard Webhooks schedule by default, about a day in all, and names a bad schedule', () => {
    const { webhooks } = loadConfig({});
    expect(webhooks.retryScheduleMs).toEqual([
      0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
    ]);
    const hours = webhooks.retryScheduleMs.reduce((sum, ms) => sum + ms, 0) / 3_600_000;
    expect(hours).toBeGreaterThan(24);
    expect(hours).toBeLessThan(28);
    expect(webhooks).toMatchObject({ timeoutMs: 10_000, allowPrivateUrls: false });
    expect(loadConfig({ WEBHOOK_RETRY_SCHEDULE_MS: ' 0, 10 ,20' }).webhooks.retryScheduleMs).toEqual([0, 10, 20]);
    expect(() => loadConfig({ WEBHOOK_RETRY_SCHEDULE_MS: '0,soon' })).toThrow(ConfigError);
    expect(() => loadConfig({ WEBHOOK_RETRY_SCHEDULE_MS: '0,soon' })).toThrow(/WEBHOOK_RETRY_SCHEDULE_MS/);
  });
});
