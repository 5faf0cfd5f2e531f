import type { Context } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from '../http/env.ts';

/**
 * A whole HTML document for a page component; pages are never cached, they show a person's account. No site
 * may frame them (`frame-ancestors`, and `X-Frame-Options` for older browsers): a framed approve or revoke
 * button is a click-jacking target.
 */
export async function renderPage(c: Context<AppEnv>, page: JSX.Element, status: ContentfulStatusCode = 200) {
  c.header('Cache-Control', 'no-store');
  c.header('Content-Security-Policy', "frame-ancestors 'none'");
  c.header('X-Frame-Options', 'DENY');
  return c.html(`<!doctype html>${await page}`, status);
}
