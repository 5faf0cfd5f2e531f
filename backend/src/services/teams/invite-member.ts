import type { CreateInviteBody, InviteCreated } from '@lumina/shared';
import { eq } from 'drizzle-orm';
import { generateSessionToken, sessionIdOf } from '../../auth/session-token.ts';
import { invites, teams, users } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { ServiceContext } from '../context.ts';
import { sendInviteEmail } from './send-invite-email.ts';
import { requireTeamRole } from './team-access.ts';

export const inviteLifetimeMs = 7 * 24 * 60 * 60 * 1000;

/**
 * An invitation link for the team (admins; only owners invite owners). The token is in the link only; the
 * database keeps its SHA-256. An invite for an e-mail address is also e-mailed there when SMTP is configured;
 * the inviter gets the link either way, and `emailSent` says whether the mail went out.
 */
export async function inviteMember({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db' | 'config' | 'mailer' | 'log'>;
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
  const link = `${ctx.config.publicBaseUrl}/invite?token=${token}`;
  let emailSent = false;
  if (input.email !== undefined && ctx.mailer !== undefined) {
    const [names] = await ctx.db
      .select({ teamName: teams.name, inviterName: users.name })
      .from(teams)
      .innerJoin(users, eq(users.id, input.userId))
      .where(eq(teams.id, input.teamId));
    emailSent = await sendInviteEmail({
      ctx,
      input: {
        inviteId: id,
        to: input.email,
        link,
        teamName: names?.teamName ?? 'a team',
        inviterName: names?.inviterName ?? 'Someone',
        role: input.role,
        expiresAt,
      },
    });
  }
  return {
    inviteId: id,
    link,
    role: input.role,
    email: input.email ?? null,
    expiresAt: expiresAt.toISOString(),
    emailSent,
  };
}
