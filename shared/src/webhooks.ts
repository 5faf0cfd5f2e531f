import * as z from 'zod';
import { TaskError, TaskId, TaskStatus } from './tasks.ts';

/** Events an endpoint can subscribe to. `webhook.test` is sent only on request and needs no subscription. */
export const WebhookEventType = z.enum(['task.completed', 'task.failed']);
export type WebhookEventType = z.infer<typeof WebhookEventType>;

export const webhookEventTypes = WebhookEventType.options;

export const WebhookEndpointId = z.string().regex(/^wh_[0-9a-z]{26}$/, 'a webhook endpoint id looks like wh_…');
export type WebhookEndpointId = z.infer<typeof WebhookEndpointId>;

/** An outgoing URL: http(s) only; private and loopback addresses are refused unless the deployment allows them. */
export const WebhookUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).max(2000);

/** `POST /api/v1/webhooks` */
export const CreateWebhookBody = z.strictObject({
  url: WebhookUrl,
  /** Defaults to every event type. */
  eventTypes: z.array(WebhookEventType).min(1).optional(),
  description: z.string().trim().max(200).optional(),
});
export type CreateWebhookBody = z.infer<typeof CreateWebhookBody>;

/** `PATCH /api/v1/webhooks/:id`: any subset; `rotateSecret` issues a new secret (the old one signs for 24 h). */
export const UpdateWebhookBody = z
  .strictObject({
    url: WebhookUrl.optional(),
    eventTypes: z.array(WebhookEventType).min(1).optional(),
    description: z.string().trim().max(200).optional(),
    enabled: z.boolean().optional(),
    rotateSecret: z.literal(true).optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'send at least one field to change');
export type UpdateWebhookBody = z.infer<typeof UpdateWebhookBody>;

export const WebhookEndpointView = z.strictObject({
  id: WebhookEndpointId,
  url: z.string(),
  description: z.string(),
  eventTypes: z.array(WebhookEventType),
  enabled: z.boolean(),
  createdAt: z.iso.datetime(),
  /** Until when the previous secret's signature is still sent beside the new one, after a rotation. */
  previousSecretExpiresAt: z.iso.datetime().nullable(),
});
export type WebhookEndpointView = z.infer<typeof WebhookEndpointView>;

/** The signing secret (`whsec_` + base64) is in the creation and rotation answers only. */
export const WebhookEndpointWithSecret = WebhookEndpointView.extend({ secret: z.string().startsWith('whsec_') });
export type WebhookEndpointWithSecret = z.infer<typeof WebhookEndpointWithSecret>;

/** `PATCH /api/v1/webhooks/:id`: the endpoint, with the new secret when the change rotated it. */
export const WebhookEndpointUpdated = WebhookEndpointView.extend({
  secret: z.string().startsWith('whsec_').optional(),
});
export type WebhookEndpointUpdated = z.infer<typeof WebhookEndpointUpdated>;

export const WebhookEndpointList = z.strictObject({ webhooks: z.array(WebhookEndpointView) });
export type WebhookEndpointList = z.infer<typeof WebhookEndpointList>;

export const WebhookDeliveryStatus = z.enum(['pending', 'succeeded', 'failed']);
export type WebhookDeliveryStatus = z.infer<typeof WebhookDeliveryStatus>;

/** One message to one endpoint; its id is the `webhook-id` header, the same on every attempt. */
export const WebhookDeliveryView = z.strictObject({
  id: z.string().startsWith('msg_'),
  endpointId: WebhookEndpointId,
  eventType: z.string(),
  status: WebhookDeliveryStatus,
  attempts: z.number().int().nonnegative(),
  nextAttemptAt: z.iso.datetime().nullable(),
  lastHttpStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.iso.datetime(),
  deliveredAt: z.iso.datetime().nullable(),
  payload: z.record(z.string(), z.unknown()),
});
export type WebhookDeliveryView = z.infer<typeof WebhookDeliveryView>;

export const WebhookDeliveryQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type WebhookDeliveryQuery = z.infer<typeof WebhookDeliveryQuery>;

export const WebhookDeliveryList = z.strictObject({ deliveries: z.array(WebhookDeliveryView) });
export type WebhookDeliveryList = z.infer<typeof WebhookDeliveryList>;

/** The `data` of `task.completed` / `task.failed`: fetch `GET /api/v1/tasks/:id` for a fresh result URL. */
export const TaskWebhookData = z.strictObject({
  taskId: TaskId,
  status: TaskStatus,
  operation: z.string(),
  creditsDeducted: z.number().int().nonnegative(),
  finishedAt: z.iso.datetime(),
  result: z.record(z.string(), z.unknown()).optional(),
  error: TaskError.optional(),
});
export type TaskWebhookData = z.infer<typeof TaskWebhookData>;

/** The body of every webhook, as the Standard Webhooks specification shapes it. */
export const WebhookPayload = z.strictObject({
  type: z.union([WebhookEventType, z.literal('webhook.test')]),
  timestamp: z.iso.datetime(),
  data: z.record(z.string(), z.unknown()),
});
export type WebhookPayload = z.infer<typeof WebhookPayload>;
