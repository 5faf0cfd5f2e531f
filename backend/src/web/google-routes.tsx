/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { type Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { ApiError } from '../errors.ts';
import type { AppEnv } from '../http/env.ts';
import { authRateLimit } from '../http/rate-limit.ts';
import { setSessionCookie } from '../http/session-cookie.ts';
import { signInWithGoogle } from '../services/accounts/sign-in-with-google.ts';
import { SignInPage } from './auth-pages.tsx';
import { renderPage } from './render-page.ts';
import { safeNext, teamCookieName } from './web-session.ts';

/** What the browser keeps between leaving for Google and coming back: only this path ever sees them. */
const cookies = { state: 'lumina_google_state', verifier: 'lumina_google_verifier', next: 'lumina_google_next' };
const cookiePath = '/auth/google';
/** Time to pick an account and consent at Google. */
const flowMaxAgeSeconds = 10 * 60;

const isHttps = (c: Context<AppEnv>): boolean => c.var.ctx.config.publicBaseUrl.startsWith('https:');

function googleOf(c: Context<AppEnv>) {
  const google = c.var.ctx.google;
  if (google === undefined) throw new ApiError('not_found', 'Google sign-in is not configured here.');
  return google;
}

const labelOf = (userAgent: string | undefined): string | undefined => userAgent?.slice(0, 200) || undefined;

/**
 * Google sign-in (only when `GOOGLE_CLIENT_ID` / `GOOGLE_CLIENT_SECRET` are set; otherwise both routes are
 * 404s). `/auth/google` sends the browser to Google with a fresh state and PKCE challenge, keeping the state,
 * the code verifier and `next` in short-lived HttpOnly cookies; Google sends it back to `/auth/google/callback`,
 * which accepts only the state it handed out (SameSite=Lax cookies ride along on that top-level navigation),
 * signs the person in as the sign-in form does, and lands them on `next`. Failures show the sign-in page.
 */
export const googleRoutes = new Hono<AppEnv>()
  .get('/auth/google', authRateLimit('sign-in'), (c) => {
    const { url, state, codeVerifier } = googleOf(c).start();
    const options = {
      httpOnly: true,
      sameSite: 'Lax',
      secure: isHttps(c),
      path: cookiePath,
      maxAge: flowMaxAgeSeconds,
    } as const;
    setCookie(c, cookies.state, state, options);
    setCookie(c, cookies.verifier, codeVerifier, options);
    setCookie(c, cookies.next, safeNext(c.req.query('next')), options);
    return c.redirect(url.toString(), 302);
  })
  .get('/auth/google/callback', authRateLimit('sign-in'), async (c) => {
    const ctx = c.var.ctx;
    googleOf(c); // 404 before anything else when Google sign-in is off
    const expectedState = getCookie(c, cookies.state);
    const codeVerifier = getCookie(c, cookies.verifier);
    const next = safeNext(getCookie(c, cookies.next));
    // One use per start: whatever happens next, this state is spent.
    for (const name of Object.values(cookies)) deleteCookie(c, name, { path: cookiePath, secure: isHttps(c) });
    const { state, code, error } = c.req.query();
    try {
      if (error !== undefined) {
        throw new ApiError('google_sign_in_failed', 'Google sign-in was canceled; sign in again when you are ready.', {
          oauth: error.slice(0, 100),
        });
      }
      if (!expectedState || !codeVerifier || !state || state !== expectedState || !code) {
        throw new ApiError(
          'google_sign_in_failed',
          'This Google sign-in was not started in this browser or took too long; try again.',
        );
      }
      const signedIn = await signInWithGoogle({
        ctx,
        input: { code, codeVerifier, sessionLabel: labelOf(c.req.header('user-agent')) },
      });
      setSessionCookie(c, signedIn.session.token, signedIn.session.expiresAt);
      deleteCookie(c, teamCookieName, { path: '/' });
      return c.redirect(next, 303);
    } catch (caught) {
      if (!(caught instanceof ApiError) || (caught.code !== 'google_sign_in_failed' && caught.code !== 'unavailable')) {
        throw caught;
      }
      return renderPage(c, <SignInPage next={next} google error={caught.message} />, caught.status);
    }
  });
