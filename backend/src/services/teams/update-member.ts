import type { MemberUpdate, TeamRole } from '@lumina/shared';
import { and, eq } from 'drizzle-orm';
import { hasRole } from '../../auth/team-roles.ts';
import { teamMembers } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import type { ServiceContext } from '../context.ts';
import { changeMemberRole } from './change-member-role.ts';
import { requireTeamRole } from './team-access.ts';

const maySetCapOf = (actor: TeamRole, target: TeamRole, self: boolean): boolean =>
  !self && (target === 'owner' ? actor === 'owner' : hasRole(actor, target) && actor !== target);

/**
 * `PATCH /api/v1/teams/:teamId/members/:userId`: a new role (the rules of `changeMemberRole`) and/or a monthly
 * spending cap in credits (null lifts it). A cap is set only from above: admins cap members, owners cap
 * admins and members, and an owner (uncapped unless another owner says otherwise) only by another owner. Nobody
 * changes their own cap, so an admin cannot lift the cap an owner gave them.
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
    if (!maySetCapOf(actorRole, member.role, input.userId === member.userId)) {
      throw new ApiError(
        'forbidden',
        "Only a higher role (or another owner, for an owner) can change this member's spending cap.",
        {
          role: actorRole,
        },
      );
    }
    await tx.update(teamMembers).set({ monthlySpendCap: input.monthlySpendCap }).where(where);
    return { userId: member.userId, role: member.role, monthlySpendCap: input.monthlySpendCap };
  });
}
