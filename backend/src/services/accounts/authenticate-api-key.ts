import { and, eq, isNull, lt, or } from 'drizzle-orm';
import type { ApiKeyPrincipal } from '../../auth/principal.ts';
import { lastUsedResolutionMs } from '../../auth/session-policy.ts';
import { apiKeys } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import type { ServiceContext } from '../context.ts';
import { hashApiKey } from './create-api-key.ts';

export type { Principal } from '../../auth/principal.ts';

/** Resolves a bearer secret to its team. Unknown and revoked keys answer the same `unauthorized`. */
export async function authenticateApiKey({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db'>;
  input: { secret: string };
}): Promise<ApiKeyPrincipal> {
  const [key] = await ctx.db
    .select({ id: apiKeys.id, teamId: apiKeys.teamId, revokedAt: apiKeys.revokedAt, lastUsedAt: apiKeys.lastUsedAt })
    .from(apiKeys)
    .where(eq(apiKeys.secretHash, hashApiKey(input.secret)));
  if (!key || key.revokedAt) throw new ApiError('unauthorized', 'The API key is missing, unknown or revoked.');
  const principal: ApiKeyPrincipal = {
    kind: 'api_key',
    teamId: key.teamId,
    apiKeyId: key.id,
    userId: null,
    sessionId: null,
    role: null,
  };
  // Record use at most once a minute, so reads do not each cost a write.
  const now = new Date();
  if (key.lastUsedAt && now.getTime() - key.lastUsedAt.getTime() < lastUsedResolutionMs) return principal;
  await ctx.db
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(
      and(
        eq(apiKeys.id, key.id),
        or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, new Date(now.getTime() - lastUsedResolutionMs))),
      ),
    );
  return principal;
}
