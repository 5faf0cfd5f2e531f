import type { WebhookDeliveryList, WebhookDeliveryQuery } from '@lumina/shared';
import { desc, eq } from 'drizzle-orm';
import type { Principal } from '../../auth/principal.ts';
import { webhookDeliveries } from '../../db/schema.ts';
import type { ServiceContext } from '../context.ts';
import { findTeamWebhook, requireWebhookAccess } from './webhook-access.ts';
import { toWebhookDeliveryView } from './webhook-view.ts';

/** An endpoint's delivery log, newest first: status, attempts, the last answer's status or error. */
export async function listWebhookDeliveries({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db'>;
  input: { principal: Principal; endpointId: string; query: WebhookDeliveryQuery };
}): Promise<WebhookDeliveryList> {
  await requireWebhookAccess(ctx.db, input.principal, 'read');
  const endpoint = await findTeamWebhook(ctx.db, { teamId: input.principal.teamId, endpointId: input.endpointId });
  const rows = await ctx.db
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.endpointId, endpoint.id))
    .orderBy(desc(webhookDeliveries.id))
    .limit(input.query.limit);
  return { deliveries: rows.map(toWebhookDeliveryView) };
}
