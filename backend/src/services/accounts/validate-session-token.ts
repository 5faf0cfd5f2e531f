import { eq } from 'drizzle-orm';
import { lastUsedResolutionMs, sessionLifetimeMs, sessionRenewWithinMs } from '../../auth/session-policy.ts';
import { sessionIdOf } from '../../auth/session-token.ts';
import { sessions, users } from '../../db/schema.ts';
import type { ServiceContext } from '../context.ts';

export type ValidatedSession = NonNullable<Awaited<ReturnType<typeof validateSessionToken>>>;

/**
 * The Lucia guide's validation: look the session up by the token's hash; an expired one is deleted and is no
 * session; one with less than half its lifetime left is extended (sliding expiry) and `renewed` tells the
 * caller to send the cookie again.
 */
export async function validateSessionToken({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db'>;
  input: { token: string; now?: Date };
}) {
  const now = input.now ?? new Date();
  const id = sessionIdOf(input.token);
  const [row] = await ctx.db
    .select({ session: sessions, user: { id: users.id, email: users.email, name: users.name } })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, id));
  if (!row) return null;
  const { session, user } = row;
  if (now.getTime() >= session.expiresAt.getTime()) {
    await ctx.db.delete(sessions).where(eq(sessions.id, id));
    return null;
  }
  let renewed = false;
  if (session.expiresAt.getTime() - now.getTime() < sessionRenewWithinMs) {
    session.expiresAt = new Date(now.getTime() + sessionLifetimeMs);
    session.lastUsedAt = now;
    renewed = true;
    await ctx.db.update(sessions).set({ expiresAt: session.expiresAt, lastUsedAt: now }).where(eq(sessions.id, id));
  } else if (!session.lastUsedAt || now.getTime() - session.lastUsedAt.getTime() >= lastUsedResolutionMs) {
    session.lastUsedAt = now;
    await ctx.db.update(sessions).set({ lastUsedAt: now }).where(eq(sessions.id, id));
  }
  return { session, user, renewed };
}
