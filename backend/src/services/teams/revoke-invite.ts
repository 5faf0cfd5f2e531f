import { and, eq, isNull } from 'drizzle-orm';
import { invites } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import type { ServiceContext } from '../context.ts';
import { requireTeamRole } from './team-access.ts';

/**
 * Revokes a pending invite so its link stops working (admins; only owners revoke an owner invite). An invite
 * already accepted, already revoked or of another team answers the same 404 as a missing one.
 */
export async function revokeInvite({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db'>;
  input: { userId: string; teamId: string; inviteId: string };
}): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const actorRole = await requireTeamRole(tx, input, 'admin');
    const pending = and(
      eq(invites.id, input.inviteId),
      eq(invites.teamId, input.teamId),
      isNull(invites.acceptedAt),
      isNull(invites.revokedAt),
    );
    const [invite] = await tx.select({ role: invites.role }).from(invites).where(pending).for('update');
    if (!invite) throw new ApiError('not_found', 'No such pending invite.');
    if (invite.role === 'owner' && actorRole !== 'owner') {
      throw new ApiError('forbidden', 'Only an owner can revoke an owner invite.', { role: actorRole });
    }
    await tx.update(invites).set({ revokedAt: new Date() }).where(pending);
  });
}
