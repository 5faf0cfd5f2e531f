import { $ } from '@hono/zod-openapi';
import {
  CreateWebhookBody,
  type ErrorCode,
  UpdateWebhookBody,
  WebhookDeliveryList,
  WebhookDeliveryQuery,
  WebhookDeliveryView,
  WebhookEndpointList,
  WebhookEndpointUpdated,
  WebhookEndpointWithSecret,
} from '@lumina/shared';
import { z } from 'zod';
import { createWebhook } from '../../services/webhooks/create-webhook.ts';
import { deleteWebhook } from '../../services/webhooks/delete-webhook.ts';
import { listWebhookDeliveries } from '../../services/webhooks/list-webhook-deliveries.ts';
import { listWebhooks } from '../../services/webhooks/list-webhooks.ts';
import { sendTestWebhook } from '../../services/webhooks/send-test-webhook.ts';
import { updateWebhook } from '../../services/webhooks/update-webhook.ts';
import { apiRoute, apiRoutes, type Contract, json, jsonBody, noContent, pathId } from '../api-route.ts';
import { authenticate, browserUserOf } from '../authenticate.ts';
import { apiCostUnits, apiRateLimit } from '../rate-limit.ts';

const browserErrors: ErrorCode[] = ['unauthorized', 'forbidden', 'csrf_rejected', 'not_found', 'rate_limited'];
const manage = (...errors: ErrorCode[]): Contract => ({
  tag: 'webhooks',
  auth: 'browser',
  errors: [...errors, ...browserErrors],
});
const read = (...errors: ErrorCode[]): Contract => ({
  tag: 'webhooks',
  auth: 'api',
  errors: [...errors, 'unauthorized', 'rate_limited', 'forbidden', 'not_found'],
});
const EndpointPath = z.object({ id: pathId('The endpoint id (`wh_…`).') });
const hookUrl = 'https://hooks.example.com/lumina';

/**
 * The active team's outgoing webhook endpoints. Owners and admins manage them from a signed-in browser; an API
 * key may list them and read their delivery logs. Another team's endpoint is the same 404 as a missing one.
 */
export const webhookRoutes = $(apiRoutes().use(authenticate).use(apiRateLimit(apiCostUnits.read)))
  .openapi(
    apiRoute(read(), {
      method: 'get',
      path: '/',
      operationId: 'listWebhooks',
      summary: "The active team's webhook endpoints (owners and admins; API keys may read)",
      responses: { 200: json(WebhookEndpointList, 'Endpoints, without their secrets.') },
    }),
    async (c) => c.json(await listWebhooks({ ctx: c.var.ctx, input: { principal: c.var.principal } }), 200),
  )
  .openapi(
    apiRoute(manage('invalid_request', 'webhook_url_refused'), {
      method: 'post',
      path: '/',
      operationId: 'createWebhook',
      summary: 'Add a webhook endpoint; its signing secret (`whsec_…`) is in this answer only',
      description:
        'Events: `task.completed`, `task.failed` (all by default). Messages are signed per the Standard Webhooks specification (`webhook-id`, `webhook-timestamp`, `webhook-signature`) and retried on its schedule for about a day.',
      request: {
        body: jsonBody(CreateWebhookBody, {
          everything: { summary: 'Every event', value: { url: hookUrl } },
          failures: {
            summary: 'Failures only, with a note',
            value: { url: hookUrl, eventTypes: ['task.failed'], description: 'Pager' },
          },
        }),
      },
      responses: { 201: json(WebhookEndpointWithSecret, 'The endpoint and its secret.') },
    }),
    async (c) => {
      const input = { principal: browserUserOf(c), body: c.req.valid('json') };
      return c.json(await createWebhook({ ctx: c.var.ctx, input }), 201);
    },
  )
  .openapi(
    apiRoute(manage('invalid_request', 'webhook_url_refused'), {
      method: 'patch',
      path: '/{id}',
      operationId: 'updateWebhook',
      summary: "Change an endpoint's URL, events or enabled state, or rotate its secret",
      description:
        '`rotateSecret: true` answers the new secret once; the previous one keeps signing beside it (space-separated signatures) for 24 hours.',
      request: {
        params: EndpointPath,
        body: jsonBody(UpdateWebhookBody, {
          rotate: { summary: 'Rotate the signing secret', value: { rotateSecret: true } },
          pause: { summary: 'Pause deliveries', value: { enabled: false } },
        }),
      },
      responses: { 200: json(WebhookEndpointUpdated, 'The endpoint after the change.') },
    }),
    async (c) => {
      const input = { principal: browserUserOf(c), endpointId: c.req.valid('param').id, body: c.req.valid('json') };
      return c.json(await updateWebhook({ ctx: c.var.ctx, input }), 200);
    },
  )
  .openapi(
    apiRoute(manage(), {
      method: 'delete',
      path: '/{id}',
      operationId: 'deleteWebhook',
      summary: 'Remove an endpoint and its delivery log',
      request: { params: EndpointPath },
      responses: { 204: noContent },
    }),
    async (c) => {
      await deleteWebhook({
        ctx: c.var.ctx,
        input: { principal: browserUserOf(c), endpointId: c.req.valid('param').id },
      });
      return c.body(null, 204);
    },
  )
  .openapi(
    apiRoute(read('invalid_request'), {
      method: 'get',
      path: '/{id}/deliveries',
      operationId: 'listWebhookDeliveries',
      summary: "An endpoint's delivery log, newest first",
      request: { params: EndpointPath, query: WebhookDeliveryQuery },
      responses: { 200: json(WebhookDeliveryList, 'Deliveries.') },
    }),
    async (c) => {
      const input = { principal: c.var.principal, endpointId: c.req.valid('param').id, query: c.req.valid('query') };
      return c.json(await listWebhookDeliveries({ ctx: c.var.ctx, input }), 200);
    },
  )
  .openapi(
    apiRoute(manage(), {
      method: 'post',
      path: '/{id}/test',
      operationId: 'testWebhook',
      summary: 'Send a `webhook.test` event to the endpoint',
      request: { params: EndpointPath },
      responses: { 202: json(WebhookDeliveryView, 'The delivery, queued.') },
    }),
    async (c) => {
      const input = { principal: browserUserOf(c), endpointId: c.req.valid('param').id };
      return c.json(await sendTestWebhook({ ctx: c.var.ctx, input }), 202);
    },
  );
