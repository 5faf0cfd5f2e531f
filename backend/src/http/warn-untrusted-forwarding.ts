import type { MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from './env.ts';
import { clientIp } from './rate-limit.ts';

/**
 * Logs once per process, not per request, when a request carries `X-Forwarded-For` while `TRUST_PROXY` is off:
 * behind a proxy every client then arrives from the proxy's address, and the per-IP limits (sign-in, pairing,
 * `/files`, failed authentication) collapse into one budget that all clients share.
 */
export function warnUntrustedForwarding(): MiddlewareHandler<AppEnv> {
  let warned = false;
  return createMiddleware<AppEnv>(async (c, next) => {
    const ctx = c.var.ctx;
    if (!warned && !ctx.config.trustProxy && c.req.header('x-forwarded-for') !== undefined) {
      warned = true;
      ctx.log.warn(
        'a request came through a proxy (X-Forwarded-For) but TRUST_PROXY is off: per-IP rate limits count every client as the proxy. Set TRUST_PROXY=true when a proxy you run writes that header.',
        { peer: clientIp(c) },
      );
    }
    await next();
  });
}
