import type { Tx } from '../../db/database.ts';
import { teamMembers, teams, users } from '../../db/schema.ts';
import { newId } from '../../ids.ts';
import { createSession } from './create-session.ts';
import { toUserView } from './user-view.ts';

export interface NewAccount {
  /** Lower-cased already. */
  readonly email: string;
  readonly name: string;
  /** argon2id of the password; null for an account made through Google sign-in, which has none. */
  readonly passwordHash: string | null;
  readonly googleSub: string | null;
  readonly sessionLabel?: string | undefined;
}

/**
 * The one way an account comes to exist, whichever door it came through: the user, their personal team (with
 * them as owner) and a first browser session, inside the caller's transaction. A duplicate e-mail address or
 * Google account fails on the unique indexes (`users_email_key`, `users_google_sub_key`).
 */
export async function createAccount(tx: Tx, input: NewAccount) {
  const userId = newId('user');
  const teamId = newId('team');
  const [user] = await tx
    .insert(users)
    .values({
      id: userId,
      email: input.email,
      passwordHash: input.passwordHash,
      name: input.name,
      googleSub: input.googleSub,
    })
    .returning();
  if (!user) throw new Error('insert returned no user');
  await tx.insert(teams).values({ id: teamId, name: `${input.name}'s team`, personalOwnerUserId: userId });
  await tx.insert(teamMembers).values({ teamId, userId, role: 'owner' });
  const session = await createSession(tx, { userId, kind: 'browser', label: input.sessionLabel });
  return { user: toUserView(user), personalTeamId: teamId, session };
}
