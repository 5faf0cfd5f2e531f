import { type WebhookDeliveryView, type WebhookEndpointView, WebhookEventType } from '@lumina/shared';
import type { webhookDeliveries, webhookEndpoints } from '../../db/schema.ts';

export const toWebhookEndpointView = (
  row: typeof webhookEndpoints.$inferSelect,
  now = new Date(),
): WebhookEndpointView => ({
  id: row.id,
  url: row.url,
  description: row.description,
  eventTypes: row.eventTypes.flatMap((type) => {
    const parsed = WebhookEventType.safeParse(type);
    return parsed.success ? [parsed.data] : [];
  }),
  enabled: row.enabled,
  createdAt: row.createdAt.toISOString(),
  previousSecretExpiresAt:
    row.previousSecretExpiresAt && row.previousSecretExpiresAt > now ? row.previousSecretExpiresAt.toISOString() : null,
});

export const toWebhookDeliveryView = (row: typeof webhookDeliveries.$inferSelect): WebhookDeliveryView => ({
  id: row.id,
  endpointId: row.endpointId,
  eventType: row.eventType,
  status: row.status,
  attempts: row.attempts,
  nextAttemptAt: row.status === 'pending' ? (row.nextAttemptAt?.toISOString() ?? null) : null,
  lastHttpStatus: row.lastHttpStatus,
  lastError: row.lastError,
  createdAt: row.createdAt.toISOString(),
  deliveredAt: row.deliveredAt?.toISOString() ?? null,
  payload: row.payload,
});
