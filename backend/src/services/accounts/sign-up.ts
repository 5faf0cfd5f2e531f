import type { SignUpBody } from '@lumina/shared';
import { eq } from 'drizzle-orm';
import { hashPassword } from '../../auth/password.ts';
import { isUniqueViolation } from '../../db/is-unique-violation.ts';
import { users } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import type { ServiceContext } from '../context.ts';
import { createAccount } from './create-account.ts';

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
  try {
    return await ctx.db.transaction((tx) =>
      createAccount(tx, {
        email: input.email,
        name: input.name,
        passwordHash,
        googleSub: null,
        sessionLabel: input.sessionLabel,
      }),
    );
  } catch (error) {
    // Two sign-ups with the same address at once: the unique index decides, the loser hears the same answer.
    if (isUniqueViolation(error, 'users_email_key')) {
      throw new ApiError('email_taken', 'An account with this e-mail address exists; sign in instead.');
    }
    throw error;
  }
}
