/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */

import { errorFields } from '@lumina/runtime';
import { Hono } from 'hono';
import { ApiError } from '../errors.ts';
import type { AppEnv } from '../http/env.ts';
import { toApiError } from '../http/error-response.ts';
import { authPages } from './auth-pages.tsx';
import { billingPage } from './billing-page.tsx';
import { dashboardPage } from './dashboard-page.tsx';
import { ErrorPage } from './error-page.tsx';
import { googleRoutes } from './google-routes.tsx';
import { keysPage } from './keys-page.tsx';
import { pairPage } from './pair-page.tsx';
import { renderPage } from './render-page.ts';
import { sessionsPage } from './sessions-page.tsx';
import { studioPage } from './studio-page.tsx';
import { tasksPage } from './tasks-page.tsx';
import { teamPage } from './team-page.tsx';
import { maybeMeOf } from './web-session.ts';
import { webhooksPage } from './webhooks-page.tsx';

/**
 * The dashboard: server-rendered pages on the browser session cookie, plain forms posting to the same origin,
 * calling the same use cases as the JSON API. Every route names its own path (no `*` middleware), so mounting
 * this at `/` touches nothing under `/api`. Errors answer as pages, with the API's status codes.
 */
export const webRoutes = new Hono<AppEnv>()
  .route('/', authPages)
  .route('/', googleRoutes)
  .route('/', dashboardPage)
  .route('/', pairPage)
  .route('/', billingPage)
  .route('/', tasksPage)
  .route('/', keysPage)
  .route('/', webhooksPage)
  .route('/', teamPage)
  .route('/', sessionsPage)
  .route('/', studioPage)
  // Any other page address is a 404 page with the way back, not the API's JSON; the API's own prefixes fall
  // through to the app's JSON not-found.
  .get('*', async (c, next) => {
    if (/^\/(?:api|v1\.0|files|metrics|healthz|readyz)(?:\/|$)/.test(c.req.path)) return next();
    const error = new ApiError('not_found', `There is no page at ${c.req.path}.`);
    return renderPage(c, <ErrorPage error={error} requestId={c.var.requestId} me={await maybeMeOf(c)} />, 404);
  })
  .onError(async (error, c) => {
    const apiError = toApiError(error);
    if (apiError.code === 'internal_error') {
      c.var.ctx.log.error('unhandled error', { requestId: c.var.requestId, path: c.req.path, ...errorFields(error) });
    }
    const me = await maybeMeOf(c);
    return renderPage(c, <ErrorPage error={apiError} requestId={c.var.requestId} me={me} />, apiError.status);
  });
