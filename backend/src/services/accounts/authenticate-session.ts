import type { SessionKind } from '@lumina/shared';
import { eq } from 'drizzle-orm';
import type { UserPrincipal } from '../../auth/principal.ts';
import { teams } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import type { ServiceContext } from '../context.ts';
import { roleIn } from '../teams/team-access.ts';
import { type ValidatedSession, validateSessionToken } from './validate-session-token.ts';

/**
 * Resolves a session token to the person acting and the team they act for. A browser session acts for the team
 * it names (`Lumina-Team`), by default the personal team; a plugin session only ever for the team its user
 * approved, and stops working if the user leaves that team. A cookie token sent as a bearer (or the reverse)
 * is no session.
 */
export async function authenticateSession({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db'>;
  input: { token: string; kind: SessionKind; requestedTeamId?: string | undefined };
}): Promise<{ principal: UserPrincipal; session: ValidatedSession }> {
  const validated = await validateSessionToken({ ctx, input: { token: input.token } });
  if (!validated || validated.session.kind !== input.kind) {
    throw new ApiError('unauthorized', 'The session is missing, expired or revoked; sign in again.');
  }
  const { session, user } = validated;
  let teamId: string;
  if (session.kind === 'plugin') {
    if (!session.teamId) throw new ApiError('unauthorized', 'The plugin session has no team; pair again.');
    teamId = session.teamId;
  } else if (input.requestedTeamId) {
    teamId = input.requestedTeamId;
  } else {
    const [personal] = await ctx.db.select({ id: teams.id }).from(teams).where(eq(teams.personalOwnerUserId, user.id));
    if (!personal) throw new ApiError('not_found', 'No personal team; name one with the Lumina-Team header.');
    teamId = personal.id;
  }
  const role = await roleIn(ctx.db, { userId: user.id, teamId });
  if (!role) {
    if (session.kind === 'plugin') {
      throw new ApiError('unauthorized', 'The plugin was approved for a team you are no longer in; pair again.');
    }
    throw new ApiError('not_found', 'No such team.');
  }
  return {
    principal: {
      kind: 'user',
      teamId,
      apiKeyId: null,
      userId: user.id,
      sessionId: session.id,
      sessionKind: session.kind,
      role,
    },
    session: validated,
  };
}
