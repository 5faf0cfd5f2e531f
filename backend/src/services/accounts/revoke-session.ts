import { and, eq } from 'drizzle-orm';
import { sessions } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import type { ServiceContext } from '../context.ts';

/**
 * Ends one of the user's sessions (sign out, or revoking a plugin from the session list). Another user's
 * session answers the same 404 as a missing one.
 */
export async function revokeSession({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db'>;
  input: { userId: string; sessionId: string };
}) {
  const deleted = await ctx.db
    .delete(sessions)
    .where(and(eq(sessions.id, input.sessionId), eq(sessions.userId, input.userId)))
    .returning({ id: sessions.id });
  if (deleted.length === 0) throw new ApiError('not_found', 'No such session.');
}
