import type { MemberUpdate, TeamRole } from '@lumina/shared';
import { and, eq } from 'drizzle-orm';
import { teamMembers } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { changeMemberRole } from './change-member-role.ts';
import type { ServiceContext } from './context.ts';
import { requireTeamRole } from './team-access.ts';

/**
 * `PATCH /api/v1/teams/:teamId/members/:userId`: a new role (the rules of `changeMemberRole`) and/or a monthly
 * spending cap in credits (null lifts it). Admins cap members and admins; an owner's cap is for owners to set.
 */
export async function updateMember({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db'>;
  input: {
    userId: string;
    teamId: string;
    memberUserId: string;
    role?: TeamRole | undefined;
    monthlySpendCap?: number | null | undefined;
  };
}): Promise<MemberUpdate> {
  if (input.role !== undefined) {
    await changeMemberRole({ ctx, input: { ...input, role: input.role } });
  }
  return ctx.db.transaction(async (tx) => {
    const actorRole = await requireTeamRole(tx, input, 'admin');
    const where = and(eq(teamMembers.teamId, input.teamId), eq(teamMembers.userId, input.memberUserId));
    const [member] = await tx.select().from(teamMembers).where(where).for('update');
    if (!member) throw new ApiError('not_found', 'No such member in this team.');
    if (input.monthlySpendCap === undefined) {
      return { userId: member.userId, role: member.role, monthlySpendCap: member.monthlySpendCap };
    }
    if (member.role === 'owner' && actorRole !== 'owner') {
      throw new ApiError('forbidden', "Only an owner can change an owner's spending cap.", { role: actorRole });
    }
    await tx.update(teamMembers).set({ monthlySpendCap: input.monthlySpendCap }).where(where);
    return { userId: member.userId, role: member.role, monthlySpendCap: input.monthlySpendCap };
  });
}
