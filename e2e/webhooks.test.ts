import { WebhookDeliveryList, WebhookEndpointWithSecret } from '@lumina/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantCredits } from '../backend/src/services/billing/grant-credits.ts';
import { dashboardJson, signUpBrowser } from '../backend/test/support/accounts.ts';
import { eventually, fixture } from '../backend/test/support/harness.ts';
import { type Receiver, startReceiver, verifyStandardWebhook } from '../backend/test/support/webhook-receiver.ts';
import { type Slice, settledTask, startSlice, submit } from './support/slice.ts';

// Webhooks from the whole slice: the real API and a gpu-worker running ISNet on CPU, with a local receiver that
// checks each message's signature the way the Standard Webhooks specification describes.
let slice: Slice;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  slice = await startSlice({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_SCHEDULE_MS: '0,50,100' });
});
afterAll(async () => {
  await slice?.close();
  await receiver?.close();
});

describe('webhooks for gpu-worker tasks', () => {
  it('sends task.completed for a background removal and task.failed for an image without a subject', async () => {
    const { t } = slice;
    const owner = await signUpBrowser(t, 'Olga');
    await grantCredits({ ctx: t.backend.ctx, input: { teamId: owner.personalTeamId, credits: 10 } });
    const hook = receiver.endpoint(200);
    const res = await t.request('/api/v1/webhooks', dashboardJson(owner, 'POST', { url: hook.url }));
    expect(res.status).toBe(201);
    const endpoint = WebhookEndpointWithSecret.parse(await res.json());

    const completedId = await submit(t, owner.headers(), fixture('horse.png'));
    const completed = await settledTask(t, completedId, owner.headers());
    expect(completed.status).toBe('COMPLETED');
    const grey = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    const failedId = await submit(t, owner.headers(), grey);
    expect((await settledTask(t, failedId, owner.headers())).status).toBe('FAILED');

    const requests = await eventually(async () => (hook.got().length === 2 ? hook.got() : undefined));
    for (const request of requests) {
      expect(verifyStandardWebhook(endpoint.secret, request.headers, request.body)).toBe(true);
    }
    const bodies = requests.map((request) => JSON.parse(request.body) as { type: string; data: object });
    expect(bodies).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'task.completed',
          data: expect.objectContaining({
            taskId: completedId,
            operation: 'remove-background',
            result: completed.result,
          }),
        }),
        expect.objectContaining({
          type: 'task.failed',
          data: expect.objectContaining({ taskId: failedId, error: expect.objectContaining({ code: 'no_subject' }) }),
        }),
      ]),
    );

    const log = await eventually(async () => {
      const list = await t.request(`/api/v1/webhooks/${endpoint.id}/deliveries`, { headers: owner.headers() });
      const { deliveries } = WebhookDeliveryList.parse(await list.json());
      return deliveries.length === 2 && deliveries.every((d) => d.status === 'succeeded') ? deliveries : undefined;
    });
    expect(log.map((d) => d.attempts)).toEqual([1, 1]);
  });
});
