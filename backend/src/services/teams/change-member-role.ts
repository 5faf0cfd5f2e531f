import type { TeamRole } from '@lumina/shared';
import { and, eq } from 'drizzle-orm';
import { teamMembers } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import type { ServiceContext } from '../context.ts';
import { lockTeamMembers, ownerCount } from './lock-team-members.ts';
import { requireTeamRole } from './team-access.ts';

/**
 * Admins change members' and admins' roles; only an owner makes or unmakes owners. The last owner cannot be
 * demoted.
 */
export async function changeMemberRole({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db'>;
  input: { userId: string; teamId: string; memberUserId: string; role: TeamRole };
}) {
  return ctx.db.transaction(async (tx) => {
    const actorRole = await requireTeamRole(tx, input, 'admin');
    const members = await lockTeamMembers(tx, input.teamId);
    const current = members.get(input.memberUserId);
    if (!current) throw new ApiError('not_found', 'No such member in this team.');
    if ((current === 'owner' || input.role === 'owner') && actorRole !== 'owner') {
      throw new ApiError('forbidden', 'Only an owner can make or change an owner.', { role: actorRole });
    }
    if (current === 'owner' && input.role !== 'owner' && ownerCount(members) === 1) {
      throw new ApiError('last_owner', 'The team needs an owner: make someone else owner first.');
    }
    await tx
      .update(teamMembers)
      .set({ role: input.role })
      .where(and(eq(teamMembers.teamId, input.teamId), eq(teamMembers.userId, input.memberUserId)));
    return { userId: input.memberUserId, role: input.role };
  });
}
