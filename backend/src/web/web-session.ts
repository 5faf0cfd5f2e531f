import type { MeResponse } from '@lumina/shared';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { Principal, UserPrincipal } from '../auth/principal.ts';
import { ApiError } from '../errors.ts';
import { checkSameOrigin } from '../http/check-same-origin.ts';
import type { AppEnv } from '../http/env.ts';
import { clearSessionCookie, sessionCookieOf, setSessionCookie } from '../http/session-cookie.ts';
import { authenticateSession } from '../services/accounts/authenticate-session.ts';
import { describeMe } from '../services/accounts/describe-me.ts';

/** The dashboard's active team, remembered per browser; the API reads the `Lumina-Team` header instead. */
export const teamCookieName = 'lumina_team';

/**
 * Pages behind sign-in. A visitor without a live browser session is sent to `/sign-in` and brought back
 * afterwards; a state-changing request must come from our own origin (CSRF) before anything else happens.
 * The active team comes from the team cookie; a team the person has since left falls back to the personal one.
 */
export const signedIn = createMiddleware<AppEnv>(async (c, next) => {
  const ctx = c.var.ctx;
  const token = sessionCookieOf(c);
  if (token === undefined) return redirectToSignIn(c);
  checkSameOrigin(c, { required: true });
  const requestedTeamId = getCookie(c, teamCookieName) || undefined;
  let authenticated: Awaited<ReturnType<typeof authenticateSession>>;
  try {
    authenticated = await authenticateSession({ ctx, input: { token, kind: 'browser', requestedTeamId } });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.code === 'unauthorized') {
      clearSessionCookie(c);
      return redirectToSignIn(c);
    }
    if (error.code !== 'not_found' || requestedTeamId === undefined) throw error;
    deleteCookie(c, teamCookieName, { path: '/' });
    authenticated = await authenticateSession({ ctx, input: { token, kind: 'browser' } });
  }
  if (authenticated.session.renewed) setSessionCookie(c, token, authenticated.session.session.expiresAt);
  c.set('principal', authenticated.principal);
  await next();
});

/** The signed-in person behind `signedIn`. */
export function webUserOf(c: Context<AppEnv>): UserPrincipal {
  const principal = c.var.principal;
  if (principal.kind !== 'user') throw new ApiError('unauthorized', 'Sign in to use the dashboard.');
  return principal;
}

/** Who is signed in, the active team and every team, for the page shell. */
export const meOf = (c: Context<AppEnv>): Promise<MeResponse> =>
  describeMe({ ctx: c.var.ctx, input: { principal: webUserOf(c) } });

/**
 * The page shell's `me` where a page may also be seen signed out (the 404 and error pages): the signed-in
 * person with their nav when the cookie holds a live session, otherwise nothing. It never redirects or throws.
 */
export async function maybeMeOf(c: Context<AppEnv>): Promise<MeResponse | undefined> {
  try {
    const principal: Principal | undefined = c.var.principal;
    if (principal?.kind !== 'user') {
      const token = sessionCookieOf(c);
      if (token === undefined) return undefined;
      const requestedTeamId = getCookie(c, teamCookieName) || undefined;
      const input = { token, kind: 'browser' as const, requestedTeamId };
      c.set('principal', (await authenticateSession({ ctx: c.var.ctx, input })).principal);
    }
    return await meOf(c);
  } catch {
    return undefined;
  }
}

export function setActiveTeam(c: Context<AppEnv>, teamId: string) {
  setCookie(c, teamCookieName, teamId, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: c.var.ctx.config.publicBaseUrl.startsWith('https:'),
    path: '/',
    maxAge: 365 * 24 * 60 * 60,
  });
}

/** Stands for this site when `next` is resolved: only a URL that stays on it is accepted. */
const thisSite = 'http://this-site.invalid';

/**
 * Only a path on this site: `next` must not turn sign-in into an open redirect. Browsers drop tabs and newlines
 * from a `Location` and read `\` as `/`, so `/\t/evil.example` leaves the site; such a value (and any control
 * character, which would also make the header invalid) is refused rather than cleaned. What remains must parse
 * as a URL on this site, and the normalised path (`/a/../b` → `/b`) is what is used.
 */
export function safeNext(next: unknown, fallback = '/'): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused here.
  if (typeof next !== 'string' || !next.startsWith('/') || /[\u0000-\u001f\u007f\\]/.test(next)) return fallback;
  if (next.startsWith('//')) return fallback;
  let url: URL;
  try {
    url = new URL(next, thisSite);
  } catch {
    return fallback;
  }
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (url.origin !== thisSite || path.startsWith('//')) return fallback;
  return path;
}

function redirectToSignIn(c: Context<AppEnv>) {
  const url = new URL(c.req.url);
  const back = c.req.method === 'GET' ? `${url.pathname}${url.search}` : '/';
  return c.redirect(back === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(back)}`, 303);
}
