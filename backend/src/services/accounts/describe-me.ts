import type { MeResponse } from '@lumina/shared';
import { asc, eq } from 'drizzle-orm';
import type { UserPrincipal } from '../../auth/principal.ts';
import { sessions, teamMembers, teams, users } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import { ensureMonthlyAllowance } from '../billing/ensure-monthly-allowance.ts';
import type { ServiceContext } from '../context.ts';
import { toUserView } from './user-view.ts';

/** `GET /api/v1/me`: the person, this session, the team the request acts for, and every team with role and pool. */
export async function describeMe({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db' | 'config'>;
  input: { principal: UserPrincipal };
}): Promise<MeResponse> {
  const { principal } = input;
  // The active team's free monthly credits show up as soon as anyone looks.
  await ensureMonthlyAllowance({ ctx, input: { teamId: principal.teamId } });
  const [user] = await ctx.db.select().from(users).where(eq(users.id, principal.userId));
  const [session] = await ctx.db.select().from(sessions).where(eq(sessions.id, principal.sessionId));
  if (!user || !session) throw new ApiError('unauthorized', 'The session ended; sign in again.');
  const rows = await ctx.db
    .select({ team: teams, role: teamMembers.role })
    .from(teamMembers)
    .innerJoin(teams, eq(teams.id, teamMembers.teamId))
    .where(eq(teamMembers.userId, principal.userId))
    .orderBy(asc(teams.createdAt), asc(teams.id));
  return {
    user: toUserView(user),
    session: { id: session.id, kind: session.kind, expiresAt: session.expiresAt.toISOString() },
    activeTeamId: principal.teamId,
    teams: rows
      // A plugin session acts for one team and sees only that one.
      .filter(({ team }) => principal.sessionKind === 'browser' || team.id === principal.teamId)
      .map(({ team, role }) => ({
        id: team.id,
        name: team.name,
        role,
        personal: team.personalOwnerUserId === principal.userId,
        balance: team.balance,
        reserved: team.reserved,
      })),
  };
}
