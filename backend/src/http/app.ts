import { errorFields } from '@lumina/runtime';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { requestId } from 'hono/request-id';
import { routePath } from 'hono/route';
import { ApiError } from '../errors.ts';
import type { ServiceContext } from '../services/context.ts';
import { webRoutes } from '../web/web-routes.tsx';
import { api } from './api.ts';
import { checkFormBody } from './check-form-body.ts';
import type { AppEnv } from './env.ts';
import { errorResponse, toApiError } from './error-response.ts';
import { limitBody } from './limit-body.ts';
import { refuseControlCharacters } from './refuse-control-characters.ts';
import { warnUntrustedForwarding } from './warn-untrusted-forwarding.ts';

/** Headers a browser client (the Figma iframe has origin `null`) may read from our answers. */
export const exposedHeaders = [
  'X-Request-Id',
  'X-Credits-Charged',
  'X-Credits-Remaining',
  'Idempotent-Replayed',
  'Preference-Applied',
  'Location',
  'Retry-After',
  'RateLimit',
  'RateLimit-Policy',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
];

export function createApp(ctx: ServiceContext, ping: { database(): Promise<void> }) {
  const app = new Hono<AppEnv>()
    .use(requestId({ generator: () => `req_${crypto.randomUUID().replaceAll('-', '')}` }))
    .use(async (c, next) => {
      c.set('ctx', ctx);
      c.set('ping', ping);
      const started = performance.now();
      await next();
      const ms = performance.now() - started;
      // The pattern of the route that answered, not the path: ids would make the label set unbounded. (Not the last
      // matched one: the dashboard's catch-all 404 page matches every GET after the API's routes.)
      const matched = routePath(c);
      const route = matched === '/*' ? 'unmatched' : matched;
      ctx.metrics.requests.inc({ method: c.req.method, route, status: String(c.res.status) });
      ctx.metrics.requestSeconds.observe({ method: c.req.method, route }, ms / 1000);
      if (ctx.config.logRequests) {
        ctx.log.info('request', {
          requestId: c.var.requestId,
          method: c.req.method,
          path: c.req.path,
          route,
          status: c.res.status,
          ms: Math.round(ms),
        });
      }
    })
    .use(
      // Bearer tokens cross origins, cookies never do (`*` cannot allow credentials, so the dashboard's cookie
      // session is same-origin only): `*` is safe and also answers the Figma iframe's `Origin: null`.
      cors({
        origin: '*',
        allowMethods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
        allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'Prefer', 'Lumina-Team', 'X-Lumina-Client'],
        exposeHeaders: exposedHeaders,
        maxAge: 600,
      }),
    )
    .use(warnUntrustedForwarding())
    .use(refuseControlCharacters)
    .use(limitBody(ctx.config.limits))
    .use(checkFormBody)
    // The API, each route declared with its contract (backend/src/http/api.ts).
    .route('/', api)
    // The dashboard's pages (sign-in, pairing approval, billing, keys, team…), server-rendered.
    .route('/', webRoutes)
    .notFound((c) => errorResponse(c, new ApiError('not_found', `No route for ${c.req.method} ${c.req.path}.`)))
    .onError((error, c) => {
      const apiError = toApiError(error);
      if (apiError.code === 'internal_error') {
        ctx.log.error('unhandled error', { requestId: c.var.requestId, path: c.req.path, ...errorFields(error) });
      }
      return errorResponse(c, apiError);
    });
  return app;
}
