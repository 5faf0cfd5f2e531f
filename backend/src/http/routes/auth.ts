import { SignInBody, SignUpBody, type SignUpResponse } from '@lumina/shared';
import { Hono } from 'hono';
import { ApiError } from '../../errors.ts';
import { revokeAllSessions } from '../../services/revoke-all-sessions.ts';
import { revokeSession } from '../../services/revoke-session.ts';
import { signIn } from '../../services/sign-in.ts';
import { signUp } from '../../services/sign-up.ts';
import { authenticate, browserUserOf, userOf } from '../authenticate.ts';
import { checkSameOrigin } from '../check-same-origin.ts';
import type { AppEnv } from '../env.ts';
import { authRateLimit } from '../rate-limit.ts';
import { clearSessionCookie, setSessionCookie } from '../session-cookie.ts';

/** A session label for the session list, from the browser's own description of itself. */
const labelOf = (userAgent: string | undefined): string | undefined => userAgent?.slice(0, 200) || undefined;

/** Sign-up and sign-in answer with the browser session in its cookie; the token is never in a body. */
export const authRoutes = new Hono<AppEnv>()
  .post('/sign-up', authRateLimit('sign-up'), async (c) => {
    // No session yet, but a foreign page must not sign a visitor into an account of its choosing.
    checkSameOrigin(c, { required: false });
    const body = SignUpBody.parse(await c.req.json().catch(() => undefined));
    const created = await signUp({
      ctx: c.var.ctx,
      input: { ...body, sessionLabel: labelOf(c.req.header('user-agent')) },
    });
    setSessionCookie(c, created.session.token, created.session.expiresAt);
    const response: SignUpResponse = { user: created.user, personalTeamId: created.personalTeamId };
    return c.json(response, 201);
  })
  .post('/sign-in', authRateLimit('sign-in'), async (c) => {
    checkSameOrigin(c, { required: false });
    const body = SignInBody.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) throw new ApiError('invalid_request', 'Send {"email", "password"} as JSON.');
    const signedIn = await signIn({
      ctx: c.var.ctx,
      input: { ...body.data, sessionLabel: labelOf(c.req.header('user-agent')) },
    });
    setSessionCookie(c, signedIn.session.token, signedIn.session.expiresAt);
    return c.json({ user: signedIn.user }, 200);
  })
  .post('/sign-out', authenticate, async (c) => {
    const user = userOf(c);
    await revokeSession({ ctx: c.var.ctx, input: { userId: user.userId, sessionId: user.sessionId } });
    clearSessionCookie(c);
    return c.body(null, 204);
  })
  // Ends the person's browser sessions too, so only a browser may: a plugin token signs out only itself.
  .post('/sign-out-everywhere', authenticate, async (c) => {
    const user = browserUserOf(c);
    const { revoked } = await revokeAllSessions({ ctx: c.var.ctx, input: { userId: user.userId } });
    clearSessionCookie(c);
    return c.json({ revoked }, 200);
  });
