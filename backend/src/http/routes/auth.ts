import { type SignUpResponse as SignedUp, SignInBody, SignUpBody, SignUpResponse, UserView } from '@lumina/shared';
import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { revokeAllSessions } from '../../services/accounts/revoke-all-sessions.ts';
import { revokeSession } from '../../services/accounts/revoke-session.ts';
import { signIn } from '../../services/accounts/sign-in.ts';
import { signUp } from '../../services/accounts/sign-up.ts';
import { apiRoute, apiRoutes, json, jsonBody, noContent } from '../api-route.ts';
import { authenticate, browserUserOf, userOf } from '../authenticate.ts';
import { checkSameOrigin } from '../check-same-origin.ts';
import type { AppEnv } from '../env.ts';
import { authRateLimit } from '../rate-limit.ts';
import { clearSessionCookie, setSessionCookie } from '../session-cookie.ts';

/** A session label for the session list, from the browser's own description of itself. */
const labelOf = (userAgent: string | undefined): string | undefined => userAgent?.slice(0, 200) || undefined;

/** No session yet, but a foreign page must not sign a visitor into an account of its choosing. */
const notFromForeignPage: MiddlewareHandler<AppEnv> = async (c, next) => {
  checkSameOrigin(c, { required: false });
  await next();
};

const credentials = { email: 'ada@example.com', password: 'correct horse battery staple' };

/** Sign-up and sign-in answer with the browser session in its cookie; the token is never in a body. */
export const authRoutes = apiRoutes()
  .openapi(
    apiRoute(
      {
        tag: 'accounts',
        auth: 'none',
        errors: ['invalid_request', 'email_taken', 'csrf_rejected', 'rate_limited', 'unavailable'],
      },
      {
        method: 'post',
        path: '/sign-up',
        operationId: 'signUp',
        summary: 'Create an account (and its personal team); sets the session cookie',
        middleware: [authRateLimit('sign-up'), notFromForeignPage],
        request: {
          body: jsonBody(SignUpBody, {
            newAccount: { summary: 'A new account', value: { ...credentials, name: 'Ada' } },
          }),
        },
        responses: { 201: json(SignUpResponse, 'Signed up and in.') },
      },
    ),
    async (c) => {
      const created = await signUp({
        ctx: c.var.ctx,
        input: { ...c.req.valid('json'), sessionLabel: labelOf(c.req.header('user-agent')) },
      });
      setSessionCookie(c, created.session.token, created.session.expiresAt);
      const response: SignedUp = { user: created.user, personalTeamId: created.personalTeamId };
      return c.json(response, 201);
    },
  )
  .openapi(
    apiRoute(
      {
        tag: 'accounts',
        auth: 'none',
        errors: ['invalid_request', 'invalid_credentials', 'csrf_rejected', 'rate_limited', 'unavailable'],
      },
      {
        method: 'post',
        path: '/sign-in',
        operationId: 'signIn',
        summary: 'Sign in with e-mail and password; sets the session cookie',
        middleware: [authRateLimit('sign-in'), notFromForeignPage],
        request: { body: jsonBody(SignInBody, { password: { summary: 'E-mail and password', value: credentials } }) },
        responses: { 200: json(z.strictObject({ user: UserView }), 'Signed in.') },
      },
    ),
    async (c) => {
      const signedIn = await signIn({
        ctx: c.var.ctx,
        input: { ...c.req.valid('json'), sessionLabel: labelOf(c.req.header('user-agent')) },
      });
      setSessionCookie(c, signedIn.session.token, signedIn.session.expiresAt);
      return c.json({ user: signedIn.user }, 200);
    },
  )
  .openapi(
    apiRoute(
      { tag: 'accounts', auth: 'api', errors: ['unauthorized', 'csrf_rejected', 'rate_limited'] },
      {
        method: 'post',
        path: '/sign-out',
        operationId: 'signOut',
        summary: 'End this session',
        middleware: [authenticate],
        responses: { 204: noContent },
      },
    ),
    async (c) => {
      const user = userOf(c);
      await revokeSession({ ctx: c.var.ctx, input: { userId: user.userId, sessionId: user.sessionId } });
      clearSessionCookie(c);
      return c.body(null, 204);
    },
  )
  // Ends the person's browser sessions too, so only a browser may: a plugin token signs out only itself.
  .openapi(
    apiRoute(
      { tag: 'accounts', auth: 'browser', errors: ['unauthorized', 'forbidden', 'csrf_rejected', 'rate_limited'] },
      {
        method: 'post',
        path: '/sign-out-everywhere',
        operationId: 'signOutEverywhere',
        summary: "End every one of the user's sessions and plugin tokens",
        middleware: [authenticate],
        responses: {
          200: json(
            z.strictObject({ revoked: z.int().nonnegative() }),
            'Signed out everywhere; `revoked` sessions ended.',
          ),
        },
      },
    ),
    async (c) => {
      const user = browserUserOf(c);
      const { revoked } = await revokeAllSessions({ ctx: c.var.ctx, input: { userId: user.userId } });
      clearSessionCookie(c);
      return c.json({ revoked }, 200);
    },
  );
