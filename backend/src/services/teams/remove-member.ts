import { and, eq, isNull } from 'drizzle-orm';
import { invites, sessions, teamMembers } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import type { ServiceContext } from '../context.ts';
import { lockTeamMembers, ownerCount } from './lock-team-members.ts';
import { requireTeamRole } from './team-access.ts';

/**
 * Removes someone from the team (or lets a member leave). Admins remove members and admins, only owners remove
 * owners, and the last owner stays. The removed user's plugin sessions for this team end with it, and so do
 * the invites they made and nobody accepted yet: a removed admin must not walk back in through their own link.
 */
export async function removeMember({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db'>;
  input: { userId: string; teamId: string; memberUserId: string };
}) {
  await ctx.db.transaction(async (tx) => {
    const leaving = input.memberUserId === input.userId;
    const actorRole = await requireTeamRole(tx, input, leaving ? 'member' : 'admin');
    const members = await lockTeamMembers(tx, input.teamId);
    const target = members.get(input.memberUserId);
    if (!target) throw new ApiError('not_found', 'No such member in this team.');
    if (target === 'owner' && actorRole !== 'owner') {
      throw new ApiError('forbidden', 'Only an owner can remove an owner.', { role: actorRole });
    }
    if (target === 'owner' && ownerCount(members) === 1) {
      throw new ApiError('last_owner', 'The team needs an owner: make someone else owner first.');
    }
    await tx
      .delete(teamMembers)
      .where(and(eq(teamMembers.teamId, input.teamId), eq(teamMembers.userId, input.memberUserId)));
    await tx.delete(sessions).where(and(eq(sessions.userId, input.memberUserId), eq(sessions.teamId, input.teamId)));
    await tx
      .update(invites)
      .set({ revokedAt: new Date() })
      .where(
        and(
          eq(invites.teamId, input.teamId),
          eq(invites.invitedByUserId, input.memberUserId),
          isNull(invites.acceptedAt),
          isNull(invites.revokedAt),
        ),
      );
  });
}
