import { Capabilities, HealthResponse } from '@lumina/shared';
import { z } from 'zod';
import { ApiError } from '../../errors.ts';
import { checkReadiness } from '../../services/system/check-readiness.ts';
import { describeCapabilities } from '../../services/system/describe-capabilities.ts';
import { apiRoute, apiRoutes, json } from '../api-route.ts';

/** Health, readiness, metrics and what this deployment offers: no credentials, no input. */
export const systemRoutes = apiRoutes()
  .openapi(
    apiRoute(
      { tag: 'operations', auth: 'none', errors: [] },
      {
        method: 'get',
        path: '/healthz',
        operationId: 'health',
        summary: 'Liveness',
        responses: { 200: json(z.strictObject({ status: z.literal('ok') }), 'Alive.') },
      },
    ),
    (c) => c.json({ status: 'ok' as const }, 200),
  )
  .openapi(
    apiRoute(
      { tag: 'operations', auth: 'none', errors: [] },
      {
        method: 'get',
        path: '/readyz',
        operationId: 'ready',
        summary: 'Readiness of PostgreSQL, Redis and storage, and the live gpu-workers',
        responses: {
          200: json(HealthResponse, 'Ready.'),
          503: json(HealthResponse, 'A dependency is down; `checks` says which.'),
        },
      },
    ),
    async (c) => {
      const readiness = await checkReadiness({ ctx: c.var.ctx, ping: c.var.ping });
      return readiness.status === 'ok' ? c.json(readiness, 200) : c.json(readiness, 503);
    },
  )
  .openapi(
    apiRoute(
      { tag: 'processing', auth: 'none', errors: [] },
      {
        method: 'get',
        path: '/api/v1/capabilities',
        operationId: 'capabilities',
        summary: 'Operations, their parameters and prices, and the limits',
        responses: { 200: json(Capabilities, 'What this deployment offers.') },
      },
    ),
    async (c) => {
      // Redis down: no worker can be seen, and none could take a task either.
      const workers = await c.var.ctx.queue.workers().catch(() => []);
      return c.json(describeCapabilities(c.var.ctx.config, workers), 200);
    },
  )
  .openapi(
    apiRoute(
      { tag: 'operations', auth: 'none', errors: ['unauthorized'] },
      {
        method: 'get',
        path: '/metrics',
        operationId: 'metrics',
        summary: 'Prometheus metrics of this API process (bearer METRICS_TOKEN when configured)',
        responses: {
          200: { description: 'Prometheus text format.', content: { 'text/plain': { schema: z.string() } } },
        },
      },
    ),
    async (c) => {
      const ctx = c.var.ctx;
      // Served on METRICS_PORT instead, away from the public port.
      if (ctx.config.metricsListen !== undefined) throw new ApiError('not_found', 'No route for GET /metrics.');
      const token = ctx.config.metricsToken;
      if (token !== undefined && c.req.header('authorization') !== `Bearer ${token}`) {
        throw new ApiError('unauthorized', 'Send METRICS_TOKEN as `Authorization: Bearer <token>`.');
      }
      return c.text(await ctx.metrics.registry.metrics(), 200, { 'Content-Type': ctx.metrics.registry.contentType });
    },
  );
