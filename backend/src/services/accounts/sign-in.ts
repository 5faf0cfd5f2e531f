import type { SignInBody } from '@lumina/shared';
import { eq } from 'drizzle-orm';
import { verifyPassword } from '../../auth/password.ts';
import { users } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import type { ServiceContext } from '../context.ts';
import { createSession } from './create-session.ts';
import { toUserView } from './user-view.ts';

/**
 * Checks the password and starts a browser session. An unknown e-mail runs the same argon2 verification against
 * a throw-away hash and answers the same `invalid_credentials`, so neither the answer nor its timing says
 * whether the address has an account.
 */
export async function signIn({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db'>;
  input: SignInBody & { sessionLabel?: string | undefined };
}) {
  const [user] = await ctx.db.select().from(users).where(eq(users.email, input.email));
  // An account made through Google has no password: it costs the same work and gets the same answer.
  const ok = await verifyPassword(user?.passwordHash ?? undefined, input.password);
  if (!user || !ok) throw new ApiError('invalid_credentials', 'The e-mail address or the password is wrong.');
  const session = await createSession(ctx.db, { userId: user.id, kind: 'browser', label: input.sessionLabel });
  return { user: toUserView(user), session };
}
