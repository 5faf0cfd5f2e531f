import { randomBytes } from 'node:crypto';
import { ErrorBody, SignUpResponse } from '@lumina/shared';
import { expect } from 'vitest';
import type { TestBackend } from './harness.ts';

/** The dashboard's origin in the test backend (`PUBLIC_BASE_URL`). */
export const dashboardOrigin = 'http://lumina.test';

export interface Browser {
  readonly userId: string;
  readonly email: string;
  readonly password: string;
  readonly personalTeamId: string;
  /** The session cookie's token, as the browser would keep it. */
  token: string;
  /** Headers of a same-origin request from the dashboard carrying the session cookie. */
  headers(extra?: Record<string, string>): Record<string, string>;
}

/** The session token a response sets in `lumina_session`, or null when it sets none (or clears it). */
export function sessionCookieIn(res: Response): string | null {
  for (const cookie of res.headers.getSetCookie()) {
    const match = cookie.match(/^lumina_session=([^;]*)/);
    if (match?.[1]) return match[1];
  }
  return null;
}

/** Signs a fresh person up through the API, the way the dashboard does. */
export async function signUpBrowser(t: TestBackend, name = 'Ada'): Promise<Browser> {
  const email = `${name.toLowerCase()}-${randomBytes(4).toString('hex')}@example.com`;
  const password = `correct horse ${randomBytes(4).toString('hex')}`;
  const res = await t.request('/api/v1/auth/sign-up', {
    method: 'POST',
    headers: { origin: dashboardOrigin, 'content-type': 'application/json' },
    body: JSON.stringify({ email, password, name }),
  });
  expect(res.status).toBe(201);
  const body = SignUpResponse.parse(await res.json());
  const token = sessionCookieIn(res);
  if (!token) throw new Error('sign-up set no session cookie');
  const browser: Browser = {
    userId: body.user.id,
    email,
    password,
    personalTeamId: body.personalTeamId,
    token,
    headers: (extra = {}) => ({ origin: dashboardOrigin, cookie: `lumina_session=${browser.token}`, ...extra }),
  };
  return browser;
}

/** A JSON request from the signed-in dashboard. */
export function dashboardJson(browser: Browser, method: string, body?: unknown, extra: Record<string, string> = {}) {
  return {
    method,
    headers: browser.headers({ 'content-type': 'application/json', ...extra }),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  };
}

/** The error code of an error answer, checked against the one error envelope. */
export async function errorCodeOf(res: Response): Promise<string> {
  return ErrorBody.parse(await res.json()).error.code;
}

/**
 * A dashboard form post made the way a browser makes it: same origin, url-encoded. A 303 is followed with the
 * one-time flash cookie the post set, so `page` is what the person sees after POST-redirect-GET.
 */
export async function postForm(
  t: TestBackend,
  browser: Browser,
  path: string,
  form: Record<string, string>,
): Promise<{ posted: Response; page: Response }> {
  const posted = await t.request(path, {
    method: 'POST',
    headers: browser.headers({ 'content-type': 'application/x-www-form-urlencoded' }),
    body: new URLSearchParams(form).toString(),
  });
  const location = posted.headers.get('location');
  if (posted.status !== 303 || location === null) return { posted, page: posted };
  const flash = posted.headers
    .getSetCookie()
    .map((cookie) => /^lumina_flash=([^;]+)/.exec(cookie)?.[1])
    .find((id) => id !== undefined);
  const cookie = `lumina_session=${browser.token}${flash ? `; lumina_flash=${flash}` : ''}`;
  return { posted, page: await t.request(location, { headers: browser.headers({ cookie }) }) };
}
