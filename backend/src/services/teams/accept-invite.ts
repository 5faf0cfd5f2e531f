import type { TeamView } from '@lumina/shared';
import { and, eq, gt, isNull } from 'drizzle-orm';
import { sessionIdOf } from '../../auth/session-token.ts';
import { hasRole } from '../../auth/team-roles.ts';
import { invites, teamMembers, teams, users } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import type { ServiceContext } from '../context.ts';
import { lockTeamMembers } from './lock-team-members.ts';
import { roleIn } from './team-access.ts';

/**
 * Joins the team an invite link is for, with the invite's role. Single use: the guarded update lets exactly one
 * acceptance through. An invite made out to an e-mail address only works for that address. A revoked invite is
 * refused, and so is one whose inviter could no longer make it (removed, or now below the role it grants): the
 * team's members are locked while that is checked, so a removal racing the acceptance cannot slip between.
 */
export async function acceptInvite({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db'>;
  input: { userId: string; token: string };
}): Promise<TeamView> {
  const [invite] = await ctx.db
    .select()
    .from(invites)
    .where(eq(invites.tokenHash, sessionIdOf(input.token)));
  if (!invite) throw new ApiError('not_found', 'No such invite.');
  const [user] = await ctx.db.select({ email: users.email }).from(users).where(eq(users.id, input.userId));
  if (invite.email !== null && invite.email !== user?.email) {
    throw new ApiError('invite_unusable', 'This invite is for another e-mail address.');
  }
  if (await roleIn(ctx.db, { userId: input.userId, teamId: invite.teamId })) {
    throw new ApiError('already_member', 'You are already in this team.');
  }
  return ctx.db.transaction(async (tx) => {
    const members = await lockTeamMembers(tx, invite.teamId);
    const inviterRole = invite.invitedByUserId === null ? undefined : members.get(invite.invitedByUserId);
    if (inviterRole === undefined || !hasRole(inviterRole, invite.role === 'owner' ? 'owner' : 'admin')) {
      throw new ApiError(
        'invite_unusable',
        'Whoever made this invite can no longer grant its role; ask for a new one.',
      );
    }
    const [taken] = await tx
      .update(invites)
      .set({ acceptedAt: new Date(), acceptedByUserId: input.userId })
      .where(
        and(
          eq(invites.id, invite.id),
          isNull(invites.acceptedAt),
          isNull(invites.revokedAt),
          gt(invites.expiresAt, new Date()),
        ),
      )
      .returning({ id: invites.id });
    if (!taken) throw new ApiError('invite_unusable', 'This invite has expired, was revoked or was already used.');
    await tx.insert(teamMembers).values({ teamId: invite.teamId, userId: input.userId, role: invite.role });
    const [team] = await tx.select({ name: teams.name }).from(teams).where(eq(teams.id, invite.teamId));
    return { id: invite.teamId, name: team?.name ?? '', role: invite.role };
  });
}
