import { and, eq } from 'drizzle-orm';
import type { Principal } from '../../auth/principal.ts';
import type { Db } from '../../db/database.ts';
import { webhookEndpoints } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import { requireTeamRole } from '../teams/team-access.ts';

/**
 * Webhooks are managed by the team's owners and admins; an API key may read them (it acts for its team and can
 * already see every task the webhooks would report), never change them.
 */
export async function requireWebhookAccess(db: Db, principal: Principal, access: 'read' | 'write'): Promise<void> {
  if (principal.kind === 'api_key') {
    if (access === 'write')
      throw new ApiError('forbidden', 'Manage webhooks from the dashboard; API keys can only list them.');
    return;
  }
  await requireTeamRole(db, { userId: principal.userId, teamId: principal.teamId }, 'admin');
}

/** One of the team's endpoints; another team's is the same 404 as a missing one. */
export async function findTeamWebhook(db: Db, input: { teamId: string; endpointId: string }) {
  const [row] = await db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, input.endpointId), eq(webhookEndpoints.teamId, input.teamId)));
  if (!row) throw new ApiError('not_found', 'No such webhook endpoint.');
  return row;
}
