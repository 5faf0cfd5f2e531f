import type { ApiKeyList } from '@lumina/shared';
import { desc, eq } from 'drizzle-orm';
import { apiKeys } from '../../db/schema.ts';
import type { ServiceContext } from '../context.ts';
import { requireTeamRole } from '../teams/team-access.ts';
import { toApiKeyView } from './api-key-view.ts';

/** The team's keys, newest first, revoked ones included (marked); never their secrets. Admins only. */
export async function listApiKeys({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db'>;
  input: { userId: string; teamId: string };
}): Promise<ApiKeyList> {
  await requireTeamRole(ctx.db, input, 'admin');
  const rows = await ctx.db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.teamId, input.teamId))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
  return { apiKeys: rows.map(toApiKeyView) };
}
