import type { MemberList } from '@lumina/shared';
import { asc, eq } from 'drizzle-orm';
import { teamMembers, users } from '../../db/schema.ts';
import type { ServiceContext } from '../context.ts';
import { requireTeamRole } from './team-access.ts';

/** Everyone in the team with their role; any member may look. */
export async function listMembers({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db'>;
  input: { userId: string; teamId: string };
}): Promise<MemberList> {
  await requireTeamRole(ctx.db, input, 'member');
  const rows = await ctx.db
    .select({ member: teamMembers, email: users.email, name: users.name })
    .from(teamMembers)
    .innerJoin(users, eq(users.id, teamMembers.userId))
    .where(eq(teamMembers.teamId, input.teamId))
    .orderBy(asc(teamMembers.createdAt), asc(users.email));
  return {
    members: rows.map(({ member, email, name }) => ({
      userId: member.userId,
      email,
      name,
      role: member.role,
      joinedAt: member.createdAt.toISOString(),
      monthlySpendCap: member.monthlySpendCap,
    })),
  };
}
