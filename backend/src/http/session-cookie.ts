import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { sessionCookieName } from '../auth/session-policy.ts';
import type { AppEnv } from './env.ts';

/**
 * Browser sessions ride in an HttpOnly, SameSite=Lax cookie (Secure when the public URL is https), so page
 * scripts never see the token and other sites' sub-requests do not carry it.
 */
export function setSessionCookie(c: Context<AppEnv>, token: string, expiresAt: Date) {
  setCookie(c, sessionCookieName, token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: isHttps(c),
    path: '/',
    expires: expiresAt,
    maxAge: Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000)),
  });
}

export function clearSessionCookie(c: Context<AppEnv>) {
  deleteCookie(c, sessionCookieName, { path: '/', secure: isHttps(c), httpOnly: true, sameSite: 'Lax' });
}

export const sessionCookieOf = (c: Context<AppEnv>): string | undefined => getCookie(c, sessionCookieName);

const isHttps = (c: Context<AppEnv>): boolean => c.var.ctx.config.publicBaseUrl.startsWith('https:');
