import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { UserPrincipal } from '../auth/principal.ts';
import { ApiError } from '../errors.ts';
import { authenticateApiKey } from '../services/accounts/authenticate-api-key.ts';
import { authenticateSession } from '../services/accounts/authenticate-session.ts';
import { checkSameOrigin } from './check-same-origin.ts';
import type { AppEnv } from './env.ts';
import { limitAuthFailures } from './rate-limit.ts';
import { sessionCookieOf, setSessionCookie } from './session-cookie.ts';

const apiKeyPrefix = 'lum_';

/**
 * Who acts → `c.var.principal`:
 * - `Authorization: Bearer lum_…`: an API key, acting for its team;
 * - `Authorization: Bearer <token>`: a plugin session, acting for the team its user approved;
 * - the session cookie: a browser session, acting for the `Lumina-Team` header's team (personal by default),
 *   and only for same-origin state changes (CSRF).
 * Anything else is a 401 in the error envelope.
 */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  // Only a credential that fails counts against the network: a request without any is no guess.
  const presented = c.req.header('authorization') !== undefined || sessionCookieOf(c) !== undefined;
  if (presented) await limitAuthFailures(c, () => authenticateRequest(c));
  else await authenticateRequest(c);
  await next();
});

/** Sets `c.var.principal` from the request's credentials, or throws `unauthorized`. */
async function authenticateRequest(c: Context<AppEnv>): Promise<void> {
  const ctx = c.var.ctx;
  const header = c.req.header('authorization');
  if (header !== undefined) {
    const match = header.match(/^Bearer\s+(\S+)$/i);
    if (!match?.[1]) throw new ApiError('unauthorized', 'Send the API key as `Authorization: Bearer <key>`.');
    const secret = match[1];
    if (secret.startsWith(apiKeyPrefix)) {
      c.set('principal', await authenticateApiKey({ ctx, input: { secret } }));
    } else {
      const { principal } = await authenticateSession({ ctx, input: { token: secret, kind: 'plugin' } });
      c.set('principal', principal);
    }
    return;
  }
  const token = sessionCookieOf(c);
  if (token === undefined) {
    throw new ApiError('unauthorized', 'Sign in, or send an API key as `Authorization: Bearer <key>`.');
  }
  checkSameOrigin(c, { required: true });
  const { principal, session } = await authenticateSession({
    ctx,
    input: { token, kind: 'browser', requestedTeamId: c.req.header('lumina-team') || undefined },
  });
  if (session.renewed) setSessionCookie(c, token, session.session.expiresAt);
  c.set('principal', principal);
}

/** For routes about a person (their sessions, their teams): an API key acts for no one and is refused. */
export function userOf(c: Context<AppEnv>): UserPrincipal {
  const principal = c.var.principal;
  if (principal.kind !== 'user') {
    throw new ApiError('forbidden', 'An API key acts for a team, not a person; sign in to do this.');
  }
  return principal;
}

/**
 * For account management (teams, members, invites, API keys, approving plugins): only a signed-in browser.
 * A plugin token is limited to spending from its one team, so a leaked one cannot mint keys or invite people.
 */
export function browserUserOf(c: Context<AppEnv>): UserPrincipal {
  const principal = userOf(c);
  if (principal.sessionKind !== 'browser') {
    throw new ApiError('forbidden', 'Manage the account from the dashboard; plugin sessions can only use the API.');
  }
  return principal;
}
