import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import { invites } from '../../db/schema.ts';
import type { ServiceContext } from '../context.ts';
import { requireTeamRole } from './team-access.ts';

export interface PendingInvite {
  readonly inviteId: string;
  readonly role: 'owner' | 'admin' | 'member';
  readonly email: string | null;
  readonly createdAt: string;
  readonly expiresAt: string;
}

/**
 * The team's invites nobody has accepted or revoked yet and that still work, oldest first (admins). Their links are not
 * here: only the token's hash is stored, so a lost link means a new invite.
 */
export async function listInvites({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db'>;
  input: { userId: string; teamId: string };
}): Promise<{ invites: PendingInvite[] }> {
  await requireTeamRole(ctx.db, input, 'admin');
  const rows = await ctx.db
    .select()
    .from(invites)
    .where(
      and(
        eq(invites.teamId, input.teamId),
        isNull(invites.acceptedAt),
        isNull(invites.revokedAt),
        gt(invites.expiresAt, new Date()),
      ),
    )
    .orderBy(asc(invites.createdAt));
  return {
    invites: rows.map((row) => ({
      inviteId: row.id,
      role: row.role,
      email: row.email,
      createdAt: row.createdAt.toISOString(),
      expiresAt: row.expiresAt.toISOString(),
    })),
  };
}
