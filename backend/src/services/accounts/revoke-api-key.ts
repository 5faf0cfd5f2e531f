import { and, eq, isNull } from 'drizzle-orm';
import { apiKeys } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import type { ServiceContext } from '../context.ts';
import { requireTeamRole } from '../teams/team-access.ts';

/**
 * Revokes one of the team's keys (admins); from then on it answers 401. Another team's key is the same 404 as a
 * missing one; revoking twice is harmless.
 */
export async function revokeApiKey({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db'>;
  input: { userId: string; teamId: string; apiKeyId: string };
}) {
  await requireTeamRole(ctx.db, input, 'admin');
  const [key] = await ctx.db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(and(eq(apiKeys.id, input.apiKeyId), eq(apiKeys.teamId, input.teamId)));
  if (!key) throw new ApiError('not_found', 'No such API key.');
  await ctx.db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, key.id), isNull(apiKeys.revokedAt)));
}
