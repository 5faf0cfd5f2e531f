import { CreateWebhookBody, UpdateWebhookBody, WebhookDeliveryQuery } from '@lumina/shared';
import { Hono } from 'hono';
import { createWebhook } from '../../services/create-webhook.ts';
import { deleteWebhook } from '../../services/delete-webhook.ts';
import { listWebhookDeliveries } from '../../services/list-webhook-deliveries.ts';
import { listWebhooks } from '../../services/list-webhooks.ts';
import { sendTestWebhook } from '../../services/send-test-webhook.ts';
import { updateWebhook } from '../../services/update-webhook.ts';
import { authenticate, browserUserOf } from '../authenticate.ts';
import type { AppEnv } from '../env.ts';
import { apiCostUnits, apiRateLimit } from '../rate-limit.ts';

const jsonOf = (c: { req: { json(): Promise<unknown> } }) => c.req.json().catch(() => undefined);

/**
 * The active team's outgoing webhook endpoints. Owners and admins manage them from a signed-in browser; an API
 * key may list them and read their delivery logs. Another team's endpoint is the same 404 as a missing one.
 */
export const webhookRoutes = new Hono<AppEnv>()
  .use(authenticate)
  .use(apiRateLimit(apiCostUnits.read))
  .get('/', async (c) => c.json(await listWebhooks({ ctx: c.var.ctx, input: { principal: c.var.principal } }), 200))
  .post('/', async (c) => {
    const principal = browserUserOf(c);
    const body = CreateWebhookBody.parse(await jsonOf(c));
    return c.json(await createWebhook({ ctx: c.var.ctx, input: { principal, body } }), 201);
  })
  .patch('/:id', async (c) => {
    const principal = browserUserOf(c);
    const body = UpdateWebhookBody.parse(await jsonOf(c));
    return c.json(
      await updateWebhook({ ctx: c.var.ctx, input: { principal, endpointId: c.req.param('id'), body } }),
      200,
    );
  })
  .delete('/:id', async (c) => {
    const principal = browserUserOf(c);
    await deleteWebhook({ ctx: c.var.ctx, input: { principal, endpointId: c.req.param('id') } });
    return c.body(null, 204);
  })
  .get('/:id/deliveries', async (c) => {
    const query = WebhookDeliveryQuery.parse(c.req.query());
    const input = { principal: c.var.principal, endpointId: c.req.param('id'), query };
    return c.json(await listWebhookDeliveries({ ctx: c.var.ctx, input }), 200);
  })
  .post('/:id/test', async (c) => {
    const principal = browserUserOf(c);
    return c.json(await sendTestWebhook({ ctx: c.var.ctx, input: { principal, endpointId: c.req.param('id') } }), 202);
  });
