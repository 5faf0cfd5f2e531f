import { Email } from '@lumina/shared';
import { and, eq, isNull } from 'drizzle-orm';
import type { GoogleIdentity } from '../../auth/google-sign-in.ts';
import { isUniqueViolation } from '../../db/is-unique-violation.ts';
import { users } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import type { ServiceContext } from '../context.ts';
import { createAccount } from './create-account.ts';
import { createSession } from './create-session.ts';
import { toUserView } from './user-view.ts';

export interface SignInWithGoogleInput {
  /** The callback's `code`, and the PKCE verifier kept in the browser since the sign-in started. */
  readonly code: string;
  readonly codeVerifier: string;
  readonly sessionLabel?: string | undefined;
}

/** How the Google account met a Lumina account. */
export type GoogleSignInOutcome = 'signed_in' | 'linked' | 'created';

/**
 * Redeems Google's code and starts a browser session for the person it names: the account already linked to
 * that Google account; else the account with the same (Google-verified) e-mail address, which gets linked;
 * else a new account without a password, with its personal team, made exactly as sign-up makes one. Only a
 * verified address is trusted, so nobody can take over an account with a Google account they do not own.
 */
export async function signInWithGoogle({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db' | 'google'>;
  input: SignInWithGoogleInput;
}) {
  if (ctx.google === undefined) throw new ApiError('not_found', 'Google sign-in is not configured here.');
  const identity = await ctx.google.identify(input.code, input.codeVerifier);
  if (!identity.emailVerified) {
    throw new ApiError(
      'google_sign_in_failed',
      'Your Google account’s e-mail address is not verified; verify it with Google, or sign up with e-mail and password.',
    );
  }
  const email = Email.safeParse(identity.email);
  if (!email.success) throw new ApiError('google_sign_in_failed', 'Google sent an e-mail address Lumina cannot use.');
  // Two first sign-ins at once race on the unique indexes; the loser finds what the winner made.
  try {
    return await findLinkOrCreate(ctx, identity, email.data, input.sessionLabel);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return await findLinkOrCreate(ctx, identity, email.data, input.sessionLabel);
  }
}

async function findLinkOrCreate(
  ctx: Pick<ServiceContext, 'db'>,
  identity: GoogleIdentity,
  email: string,
  sessionLabel: string | undefined,
) {
  const [bySub] = await ctx.db.select().from(users).where(eq(users.googleSub, identity.sub));
  if (bySub) {
    const session = await createSession(ctx.db, { userId: bySub.id, kind: 'browser', label: sessionLabel });
    return { user: toUserView(bySub), session, outcome: 'signed_in' as GoogleSignInOutcome };
  }
  const [byEmail] = await ctx.db.select().from(users).where(eq(users.email, email));
  if (byEmail) {
    if (byEmail.googleSub !== null) {
      throw new ApiError(
        'google_sign_in_failed',
        'This e-mail address belongs to an account linked to another Google account; sign in with that one.',
      );
    }
    return await ctx.db.transaction(async (tx) => {
      const [linked] = await tx
        .update(users)
        .set({ googleSub: identity.sub })
        .where(and(eq(users.id, byEmail.id), isNull(users.googleSub)))
        .returning();
      if (!linked) throw new ApiError('google_sign_in_failed', 'The account changed meanwhile; try again.');
      const session = await createSession(tx, { userId: linked.id, kind: 'browser', label: sessionLabel });
      return { user: toUserView(linked), session, outcome: 'linked' as GoogleSignInOutcome };
    });
  }
  const name = identity.name?.trim().slice(0, 100) || email.slice(0, email.indexOf('@'));
  const created = await ctx.db.transaction((tx) =>
    createAccount(tx, { email, name, passwordHash: null, googleSub: identity.sub, sessionLabel }),
  );
  return { user: created.user, session: created.session, outcome: 'created' as GoogleSignInOutcome };
}
