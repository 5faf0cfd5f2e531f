import type { Context } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from '../http/env.ts';

/** A whole HTML document for a page component; pages are never cached, they show a person's account. */
export async function renderPage(c: Context<AppEnv>, page: JSX.Element, status: ContentfulStatusCode = 200) {
  c.header('Cache-Control', 'no-store');
  return c.html(`<!doctype html>${await page}`, status);
}
