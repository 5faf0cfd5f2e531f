import type { Context } from 'hono';
import { ApiError } from '../errors.ts';
import type { AppEnv } from './env.ts';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF defence for cookie-authenticated requests: a state-changing request must come from PUBLIC_BASE_URL's own
 * origin, as the browser states it in `Origin` (sent on every cross-origin and same-origin POST by current
 * browsers) or, failing that, `Sec-Fetch-Site: same-origin`. With `required`, a request stating neither is
 * refused too; without it (sign-in and sign-up, which carry no session yet) only a foreign origin is.
 * Bearer-authenticated requests (plugins, the API) carry nothing a browser adds by itself and need no check.
 */
export function checkSameOrigin(c: Context<AppEnv>, { required }: { required: boolean }) {
  if (safeMethods.has(c.req.method)) return;
  const expected = new URL(c.var.ctx.config.publicBaseUrl).origin;
  const origin = c.req.header('origin');
  const fetchSite = c.req.header('sec-fetch-site');
  if (origin !== undefined) {
    if (origin === expected) return;
    throw new ApiError('csrf_rejected', `Requests with the session cookie must come from ${expected}.`);
  }
  if (fetchSite !== undefined) {
    if (fetchSite === 'same-origin') return;
    throw new ApiError('csrf_rejected', `Requests with the session cookie must come from ${expected}.`);
  }
  if (required) {
    throw new ApiError(
      'csrf_rejected',
      'A request with the session cookie must state its Origin; API clients send a bearer token instead.',
    );
  }
}
