import { errorFields } from '@lumina/runtime';
import type { WebhookPayload } from '@lumina/shared';
import { and, eq } from 'drizzle-orm';
import type { Tx } from '../../db/database.ts';
import { webhookDeliveries, webhookEndpoints } from '../../db/schema.ts';
import { newId } from '../../ids.ts';
import type { ServiceContext } from '../context.ts';

/**
 * Writes one pending delivery per enabled endpoint of the team subscribed to the event, inside the caller's
 * transaction: the event and its deliveries commit together or not at all. Returns the delivery ids, to enqueue
 * once the transaction has committed.
 */
export async function recordWebhookDeliveries(
  tx: Tx,
  input: { teamId: string; payload: WebhookPayload; firstDelayMs: number; now: Date },
): Promise<string[]> {
  const endpoints = await tx
    .select({ id: webhookEndpoints.id, eventTypes: webhookEndpoints.eventTypes })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.teamId, input.teamId), eq(webhookEndpoints.enabled, true)));
  const subscribed = endpoints.filter((endpoint) => endpoint.eventTypes.includes(input.payload.type));
  if (subscribed.length === 0) return [];
  const rows = subscribed.map((endpoint) => ({
    id: newId('msg', input.now.getTime()),
    endpointId: endpoint.id,
    eventType: input.payload.type,
    payload: { ...input.payload },
    nextAttemptAt: new Date(input.now.getTime() + input.firstDelayMs),
  }));
  await tx.insert(webhookDeliveries).values(rows);
  return rows.map((row) => row.id);
}

/**
 * Queues the first attempt of freshly committed deliveries. A failure here loses nothing: the deliveries are
 * pending in the database and the sweep queues them once they are overdue.
 */
export async function enqueueWebhookDeliveries(
  ctx: Pick<ServiceContext, 'webhooks' | 'config' | 'log'>,
  deliveryIds: readonly string[],
): Promise<void> {
  const firstDelayMs = ctx.config.webhooks.retryScheduleMs[0] ?? 0;
  await Promise.all(
    deliveryIds.map((deliveryId) =>
      ctx.webhooks.enqueue({ deliveryId, attempt: 1 }, firstDelayMs).catch((error: unknown) => {
        ctx.log.warn('could not queue a webhook; the sweep will', { deliveryId, ...errorFields(error) });
      }),
    ),
  );
}
