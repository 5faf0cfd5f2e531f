import { type CreateWebhookBody, type WebhookEndpointWithSecret, webhookEventTypes } from '@lumina/shared';
import type { Principal } from '../../auth/principal.ts';
import { webhookEndpoints } from '../../db/schema.ts';
import { newId } from '../../ids.ts';
import { newWebhookSecret } from '../../webhooks/sign-webhook.ts';
import type { ServiceContext } from '../context.ts';
import { checkWebhookUrl } from './check-webhook-url.ts';
import { requireWebhookAccess } from './webhook-access.ts';
import { toWebhookEndpointView } from './webhook-view.ts';

/** Adds an endpoint to the caller's team (owners and admins); its signing secret is in this answer only. */
export async function createWebhook({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db' | 'config'>;
  input: { principal: Principal; body: CreateWebhookBody };
}): Promise<WebhookEndpointWithSecret> {
  await requireWebhookAccess(ctx.db, input.principal, 'write');
  const url = checkWebhookUrl(input.body.url, { allowPrivateUrls: ctx.config.webhooks.allowPrivateUrls });
  const secret = newWebhookSecret();
  const [row] = await ctx.db
    .insert(webhookEndpoints)
    .values({
      id: newId('wh'),
      teamId: input.principal.teamId,
      url,
      description: input.body.description ?? '',
      secret,
      eventTypes: [...new Set(input.body.eventTypes ?? webhookEventTypes)],
    })
    .returning();
  if (!row) throw new Error('the webhook endpoint vanished after insert');
  return { ...toWebhookEndpointView(row), secret };
}
