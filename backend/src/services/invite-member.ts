import type { CreateInviteBody, InviteCreated } from '@lumina/shared';
import { generateSessionToken, sessionIdOf } from '../auth/session-token.ts';
import { invites } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { ServiceContext } from './context.ts';
import { requireTeamRole } from './team-access.ts';

export const inviteLifetimeMs = 7 * 24 * 60 * 60 * 1000;

/**
 * An invitation link for the team (admins; only owners invite owners). The token is in the link only; the
 * database keeps its SHA-256. Sending it by e-mail is a separate concern: the inviter gets the link.
 */
export async function inviteMember({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db' | 'config'>;
  input: CreateInviteBody & { userId: string; teamId: string };
}): Promise<InviteCreated> {
  const actorRole = await requireTeamRole(ctx.db, input, 'admin');
  if (input.role === 'owner' && actorRole !== 'owner') {
    throw new ApiError('forbidden', 'Only an owner can invite an owner.', { role: actorRole });
  }
  const token = generateSessionToken();
  const id = newId('inv');
  const expiresAt = new Date(Date.now() + inviteLifetimeMs);
  await ctx.db.insert(invites).values({
    id,
    teamId: input.teamId,
    role: input.role,
    email: input.email ?? null,
    tokenHash: sessionIdOf(token),
    invitedByUserId: input.userId,
    expiresAt,
  });
  return {
    inviteId: id,
    link: `${ctx.config.publicBaseUrl}/invite?token=${token}`,
    role: input.role,
    email: input.email ?? null,
    expiresAt: expiresAt.toISOString(),
  };
}
