import { eq } from 'drizzle-orm';
import { sessions } from '../../db/schema.ts';
import type { ServiceContext } from '../context.ts';

/** Sign out everywhere: every browser and plugin session of the user ends, the current one included. */
export async function revokeAllSessions({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db'>;
  input: { userId: string };
}) {
  const deleted = await ctx.db.delete(sessions).where(eq(sessions.userId, input.userId)).returning({ id: sessions.id });
  return { revoked: deleted.length };
}
