import type { SessionList } from '@lumina/shared';
import { and, desc, eq, gt } from 'drizzle-orm';
import { sessions } from '../../db/schema.ts';
import type { ServiceContext } from '../context.ts';

/** The user's live sessions, browsers and plugins, newest first; `current` marks the one asking. */
export async function listSessions({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db'>;
  input: { userId: string; currentSessionId: string };
}): Promise<SessionList> {
  const rows = await ctx.db
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, input.userId), gt(sessions.expiresAt, new Date())))
    .orderBy(desc(sessions.createdAt));
  return {
    sessions: rows.map((s) => ({
      id: s.id,
      kind: s.kind,
      label: s.label,
      teamId: s.teamId,
      createdAt: s.createdAt.toISOString(),
      lastUsedAt: s.lastUsedAt?.toISOString() ?? null,
      expiresAt: s.expiresAt.toISOString(),
      current: s.id === input.currentSessionId,
    })),
  };
}
