import type { UpdateWebhookBody, WebhookEndpointUpdated } from '@lumina/shared';
import { eq } from 'drizzle-orm';
import type { Principal } from '../../auth/principal.ts';
import { webhookEndpoints } from '../../db/schema.ts';
import { newWebhookSecret } from '../../webhooks/sign-webhook.ts';
import type { ServiceContext } from '../context.ts';
import { checkWebhookUrl } from './check-webhook-url.ts';
import { findTeamWebhook, requireWebhookAccess } from './webhook-access.ts';
import { toWebhookEndpointView } from './webhook-view.ts';

/** How long a rotated-out secret keeps signing beside the new one, so receivers can switch without a gap. */
export const previousSecretLifetimeMs = 24 * 60 * 60 * 1000;

/**
 * Changes an endpoint's URL, events, description or enabled state (owners and admins). `rotateSecret` issues a
 * new secret, returned in this answer only; the old one keeps signing beside it for 24 hours.
 */
export async function updateWebhook({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db' | 'config'>;
  input: { principal: Principal; endpointId: string; body: UpdateWebhookBody };
}): Promise<WebhookEndpointUpdated> {
  await requireWebhookAccess(ctx.db, input.principal, 'write');
  const current = await findTeamWebhook(ctx.db, { teamId: input.principal.teamId, endpointId: input.endpointId });
  const { body } = input;
  const now = new Date();
  const secret = body.rotateSecret ? newWebhookSecret() : undefined;
  const [row] = await ctx.db
    .update(webhookEndpoints)
    .set({
      ...(body.url !== undefined
        ? { url: checkWebhookUrl(body.url, { allowPrivateUrls: ctx.config.webhooks.allowPrivateUrls }) }
        : {}),
      ...(body.eventTypes !== undefined ? { eventTypes: [...new Set(body.eventTypes)] } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
      ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
      ...(secret !== undefined
        ? {
            secret,
            previousSecret: current.secret,
            previousSecretExpiresAt: new Date(now.getTime() + previousSecretLifetimeMs),
          }
        : {}),
    })
    .where(eq(webhookEndpoints.id, current.id))
    .returning();
  if (!row) throw new Error('the webhook endpoint vanished during the update');
  return { ...toWebhookEndpointView(row, now), ...(secret !== undefined ? { secret } : {}) };
}
