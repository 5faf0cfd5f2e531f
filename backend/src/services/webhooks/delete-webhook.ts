import { eq } from 'drizzle-orm';
import type { Principal } from '../../auth/principal.ts';
import { webhookEndpoints } from '../../db/schema.ts';
import type { ServiceContext } from '../context.ts';
import { findTeamWebhook, requireWebhookAccess } from './webhook-access.ts';

/** Removes an endpoint and its delivery log (owners and admins); its pending attempts find nothing to send. */
export async function deleteWebhook({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db'>;
  input: { principal: Principal; endpointId: string };
}): Promise<void> {
  await requireWebhookAccess(ctx.db, input.principal, 'write');
  const endpoint = await findTeamWebhook(ctx.db, { teamId: input.principal.teamId, endpointId: input.endpointId });
  await ctx.db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
}
