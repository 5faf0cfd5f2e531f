import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { requestId } from 'hono/request-id';
import { ApiError } from '../errors.ts';
import { errorFields } from '../logger.ts';
import { checkReadiness } from '../services/check-readiness.ts';
import type { ServiceContext } from '../services/context.ts';
import { describeCapabilities } from '../services/describe-capabilities.ts';
import type { AppEnv } from './env.ts';
import { errorResponse, toApiError } from './error-response.ts';
import { authRoutes } from './routes/auth.ts';
import { fileRoutes } from './routes/files.ts';
import { meRoutes, sessionRoutes } from './routes/me.ts';
import { pairingRoutes } from './routes/pairings.ts';
import { processRoutes } from './routes/process.ts';
import { taskRoutes } from './routes/tasks.ts';
import { inviteRoutes, teamRoutes } from './routes/teams.ts';

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

/** Room for the multipart envelope and the text fields around the image. */
const multipartOverheadBytes = 256 * 1024;

export function createApp(ctx: ServiceContext, ping: { database(): Promise<void> }) {
  const maxBodyBytes = Math.ceil((ctx.config.limits.maxUploadBytes * 4) / 3) + multipartOverheadBytes;
  const app = new Hono<AppEnv>()
    .use(requestId({ generator: () => `req_${crypto.randomUUID().replaceAll('-', '')}` }))
    .use(async (c, next) => {
      c.set('ctx', ctx);
      const started = performance.now();
      await next();
      if (ctx.config.logRequests) {
        ctx.log.info('request', {
          requestId: c.var.requestId,
          method: c.req.method,
          path: c.req.path,
          status: c.res.status,
          ms: Math.round(performance.now() - started),
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
    .get('/healthz', (c) => c.json({ status: 'ok' as const }, 200))
    .get('/readyz', async (c) => {
      const readiness = await checkReadiness({ ctx, ping });
      return c.json(readiness, readiness.status === 'ok' ? 200 : 503);
    })
    .get('/api/v1/capabilities', (c) => c.json(describeCapabilities(ctx.config), 200))
    .use(
      '/api/v1/process',
      // Refused while streaming: a Content-Length over the limit is answered before the body is read, and a
      // chunked body is cut off as soon as it passes the limit.
      bodyLimit({
        maxSize: maxBodyBytes,
        onError: (c) =>
          errorResponse(
            c,
            new ApiError('upload_too_large', `The upload is larger than ${ctx.config.limits.maxUploadBytes} bytes.`),
          ),
      }),
    )
    .route('/api/v1/process', processRoutes)
    .route('/api/v1/tasks', taskRoutes)
    .route('/api/v1/auth', authRoutes)
    .route('/api/v1/me', meRoutes)
    .route('/api/v1/sessions', sessionRoutes)
    .route('/api/v1/teams', teamRoutes)
    .route('/api/v1/invites', inviteRoutes)
    .route('/api/v1/pairings', pairingRoutes)
    .route('/files', fileRoutes)
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

export type AppType = ReturnType<typeof createApp>;
