import type { WebhookEndpointList } from '@lumina/shared';
import { desc, eq } from 'drizzle-orm';
import type { Principal } from '../../auth/principal.ts';
import { webhookEndpoints } from '../../db/schema.ts';
import type { ServiceContext } from '../context.ts';
import { requireWebhookAccess } from './webhook-access.ts';
import { toWebhookEndpointView } from './webhook-view.ts';

/** The caller's team's endpoints, newest first, without their secrets. */
export async function listWebhooks({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db'>;
  input: { principal: Principal };
}): Promise<WebhookEndpointList> {
  await requireWebhookAccess(ctx.db, input.principal, 'read');
  const rows = await ctx.db
    .select()
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.teamId, input.principal.teamId))
    .orderBy(desc(webhookEndpoints.createdAt), desc(webhookEndpoints.id));
  const now = new Date();
  return { webhooks: rows.map((row) => toWebhookEndpointView(row, now)) };
}
