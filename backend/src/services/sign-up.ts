import type { SignUpBody } from '@lumina/shared';
import { eq } from 'drizzle-orm';
import { hashPassword } from '../auth/password.ts';
import { isUniqueViolation } from '../db/is-unique-violation.ts';
import { teamMembers, teams, users } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { ServiceContext } from './context.ts';
import { createSession } from './create-session.ts';
import { toUserView } from './user-view.ts';

/**
 * Creates the account, its personal team (the user as owner) and a first browser session, in one transaction.
 * The e-mail arrives lower-cased from `SignUpBody`.
 */
export async function signUp({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db'>;
  input: SignUpBody & { sessionLabel?: string | undefined };
}) {
  const [existing] = await ctx.db.select({ id: users.id }).from(users).where(eq(users.email, input.email));
  if (existing) throw new ApiError('email_taken', 'An account with this e-mail address exists; sign in instead.');
  const passwordHash = await hashPassword(input.password);
  const userId = newId('user');
  const teamId = newId('team');
  try {
    return await ctx.db.transaction(async (tx) => {
      const [user] = await tx
        .insert(users)
        .values({ id: userId, email: input.email, passwordHash, name: input.name })
        .returning();
      if (!user) throw new Error('insert returned no user');
      await tx.insert(teams).values({ id: teamId, name: `${input.name}'s team`, personalOwnerUserId: userId });
      await tx.insert(teamMembers).values({ teamId, userId, role: 'owner' });
      const session = await createSession(tx, { userId, kind: 'browser', label: input.sessionLabel });
      return { user: toUserView(user), personalTeamId: teamId, session };
    });
  } catch (error) {
    // Two sign-ups with the same address at once: the unique index decides, the loser hears the same answer.
    if (isUniqueViolation(error, 'users_email_key')) {
      throw new ApiError('email_taken', 'An account with this e-mail address exists; sign in instead.');
    }
    throw error;
  }
}
