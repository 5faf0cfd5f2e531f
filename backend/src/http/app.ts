import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { requestId } from 'hono/request-id';
import { routePath } from 'hono/route';
import { ApiError } from '../errors.ts';
import { errorFields } from '../logger.ts';
import { buildOpenApiDocument } from '../openapi/openapi-document.ts';
import { renderReferencePage } from '../openapi/reference-page.ts';
import { checkReadiness } from '../services/check-readiness.ts';
import type { ServiceContext } from '../services/context.ts';
import { describeCapabilities } from '../services/describe-capabilities.ts';
import { webRoutes } from '../web/web-routes.tsx';
import { checkFormBody } from './check-form-body.ts';
import type { AppEnv } from './env.ts';
import { errorResponse, toApiError } from './error-response.ts';
import { limitBody } from './limit-body.ts';
import { authRoutes } from './routes/auth.ts';
import { billingRoutes } from './routes/billing.ts';
import { fileRoutes } from './routes/files.ts';
import { meRoutes, sessionRoutes } from './routes/me.ts';
import { pairingRoutes } from './routes/pairings.ts';
import { processRoutes } from './routes/process.ts';
import { removeBgRoutes } from './routes/removebg.ts';
import { taskRoutes } from './routes/tasks.ts';
import { inviteRoutes, teamRoutes } from './routes/teams.ts';
import { webhookRoutes } from './routes/webhooks.ts';
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
  const openApi = buildOpenApiDocument(ctx.config.publicBaseUrl);
  const referencePage = renderReferencePage(openApi);
  const app = new Hono<AppEnv>()
    .use(requestId({ generator: () => `req_${crypto.randomUUID().replaceAll('-', '')}` }))
    .use(async (c, next) => {
      c.set('ctx', ctx);
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
        allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'Prefer', 'Lumina-Team'],
        exposeHeaders: exposedHeaders,
        maxAge: 600,
      }),
    )
    .use(warnUntrustedForwarding())
    .use(limitBody(ctx.config.limits))
    .use(checkFormBody)
    .get('/healthz', (c) => c.json({ status: 'ok' as const }, 200))
    .get('/readyz', async (c) => {
      const readiness = await checkReadiness({ ctx, ping });
      return c.json(readiness, readiness.status === 'ok' ? 200 : 503);
    })
    .get('/api/v1/capabilities', async (c) => {
      // Redis down: no worker can be seen, and none could take a task either.
      const workers = await ctx.queue.workers().catch(() => []);
      return c.json(describeCapabilities(ctx.config, workers), 200);
    })
    .get('/metrics', async (c) => {
      // Served on METRICS_PORT instead, away from the public port.
      if (ctx.config.metricsListen !== undefined) throw new ApiError('not_found', 'No route for GET /metrics.');
      const token = ctx.config.metricsToken;
      if (token !== undefined && c.req.header('authorization') !== `Bearer ${token}`) {
        throw new ApiError('unauthorized', 'Send METRICS_TOKEN as `Authorization: Bearer <token>`.');
      }
      return c.body(await ctx.metrics.registry.metrics(), 200, { 'Content-Type': ctx.metrics.registry.contentType });
    })
    .get('/api/v1/openapi.json', (c) => c.json(openApi, 200))
    .get('/api/v1/docs', (c) => c.html(referencePage, 200))
    .route('/api/v1/process', processRoutes)
    .route('/api/v1/tasks', taskRoutes)
    .route('/api/v1/auth', authRoutes)
    .route('/api/v1/me', meRoutes)
    .route('/api/v1/sessions', sessionRoutes)
    .route('/api/v1/teams', teamRoutes)
    .route('/api/v1/invites', inviteRoutes)
    .route('/api/v1/pairings', pairingRoutes)
    .route('/api/v1/billing', billingRoutes)
    .route('/api/v1/webhooks', webhookRoutes)
    .route('/files', fileRoutes)
    .route('/v1.0', removeBgRoutes)
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
