import type { WebhookDeliveryView } from '@lumina/shared';
import type { Principal } from '../../auth/principal.ts';
import { webhookDeliveries } from '../../db/schema.ts';
import { newId } from '../../ids.ts';
import type { ServiceContext } from '../context.ts';
import { enqueueWebhookDeliveries } from './record-webhook-deliveries.ts';
import { findTeamWebhook, requireWebhookAccess } from './webhook-access.ts';
import { toWebhookDeliveryView } from './webhook-view.ts';

/**
 * Sends a `webhook.test` event to one endpoint (owners and admins), whatever it subscribes to, on the same path
 * as real events: signed, logged, retried.
 */
export async function sendTestWebhook({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db' | 'config' | 'webhooks' | 'log'>;
  input: { principal: Principal; endpointId: string };
}): Promise<WebhookDeliveryView> {
  await requireWebhookAccess(ctx.db, input.principal, 'write');
  const endpoint = await findTeamWebhook(ctx.db, { teamId: input.principal.teamId, endpointId: input.endpointId });
  const now = new Date();
  const [row] = await ctx.db
    .insert(webhookDeliveries)
    .values({
      id: newId('msg', now.getTime()),
      endpointId: endpoint.id,
      eventType: 'webhook.test',
      payload: {
        type: 'webhook.test',
        timestamp: now.toISOString(),
        data: { endpointId: endpoint.id, message: 'A test event from Lumina.' },
      },
      nextAttemptAt: new Date(now.getTime() + (ctx.config.webhooks.retryScheduleMs[0] ?? 0)),
    })
    .returning();
  if (!row) throw new Error('the test delivery vanished after insert');
  await enqueueWebhookDeliveries(ctx, [row.id]);
  return toWebhookDeliveryView(row);
}
