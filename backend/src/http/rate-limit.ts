import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { Principal } from '../auth/principal.ts';
import type { Config } from '../config.ts';
import { ApiError } from '../errors.ts';
import { errorFields } from '../logger.ts';
import { consumeRateLimit, type RateLimitResult } from '../rate-limit/sliding-window.ts';
import type { AppEnv } from './env.ts';
import { errorResponse } from './error-response.ts';

export interface RateLimitPolicy {
  /** Names the budget in the headers and in Redis: middlewares with the same name share one budget. */
  readonly name: string;
  /** Units per window, or where the parsed config holds it; 0 turns the policy off. */
  readonly limit: number | ((config: Config) => number);
  readonly windowSeconds: number;
  /** Whose budget this request spends; `null` leaves the request unlimited (no caller to count it against). */
  key(c: Context<AppEnv>): string | null;
  /** Units this request consumes; 1 when absent. */
  cost?(c: Context<AppEnv>): number;
}

/** What an API request costs: a submit stores an upload and queues model work, a read is a database lookup. */
export const apiCostUnits = { submit: 10, read: 1 } as const;

const policyNamePattern = /^[a-z0-9][a-z0-9-]*$/;
const warnEveryMs = 10_000;

/**
 * A sliding-window limit on the routes it is mounted on. Every answer of a limited route carries the policy and
 * what is left of it, as `RateLimit-Policy` / `RateLimit` (IETF httpapi draft, structured fields) and the older
 * `X-RateLimit-Limit` / `-Remaining` / `-Reset` (reset in seconds from now, as the draft's `t`). A request over
 * the limit is a 429 `rate_limited` with `Retry-After` and consumes nothing. When Redis cannot answer, requests
 * pass unlimited (with a warning in the log): an outage of the limiter must not become an outage of the API.
 */
export function rateLimit(policy: RateLimitPolicy): MiddlewareHandler<AppEnv> {
  if (!policyNamePattern.test(policy.name)) throw new Error(`rate limit policy name ${policy.name} is not a-z0-9-`);
  let warnedAt = Number.NEGATIVE_INFINITY;
  return createMiddleware<AppEnv>(async (c, next) => {
    const ctx = c.var.ctx;
    const limit = typeof policy.limit === 'number' ? policy.limit : policy.limit(ctx.config);
    const id = limit > 0 ? policy.key(c) : null;
    if (id === null) return next();

    let result: RateLimitResult;
    try {
      result = await consumeRateLimit(ctx.redis, {
        key: `${ctx.config.queuePrefix}:lumina:ratelimit:${policy.name}:${id}`,
        limit,
        windowSeconds: policy.windowSeconds,
        cost: policy.cost?.(c) ?? 1,
      });
    } catch (error) {
      if (performance.now() - warnedAt >= warnEveryMs) {
        warnedAt = performance.now();
        ctx.log.warn('rate limiter unavailable, letting requests through', {
          policy: policy.name,
          ...errorFields(error),
        });
      }
      return next();
    }

    c.header('RateLimit-Policy', `"${policy.name}";q=${result.limit};w=${policy.windowSeconds}`);
    c.header('RateLimit', `"${policy.name}";r=${result.remaining};t=${result.resetSeconds}`);
    c.header('X-RateLimit-Limit', String(result.limit));
    c.header('X-RateLimit-Remaining', String(result.remaining));
    c.header('X-RateLimit-Reset', String(result.resetSeconds));
    if (result.retryAfterSeconds !== null) {
      c.header('Retry-After', String(result.retryAfterSeconds));
      return errorResponse(
        c,
        new ApiError('rate_limited', `Rate limit "${policy.name}" reached; retry in ${result.retryAfterSeconds} s.`, {
          policy: policy.name,
          retryAfterSeconds: result.retryAfterSeconds,
        }),
      );
    }
    await next();
  });
}

/**
 * The public API's budget per caller, after `authenticate`: per API key, or per user for a session (all of a
 * person's browser and plugin sessions share one budget), weighted by `costUnits` of the route it is mounted on.
 * Mounts with different costs share one budget.
 */
export const apiRateLimit = (costUnits: number): MiddlewareHandler<AppEnv> =>
  rateLimit({
    name: 'api',
    limit: (config) => config.rateLimits.apiUnitsPerMinute,
    windowSeconds: 60,
    key: (c) => {
      const principal: Principal | undefined = c.var.principal;
      if (!principal) return null;
      return principal.kind === 'api_key' ? principal.apiKeyId : principal.userId;
    },
    cost: () => costUnits,
  });

/**
 * Per client IP, for the unauthenticated sign-in, sign-up and pairing routes: `RATE_LIMIT_AUTH_PER_MINUTE`
 * requests a minute. Each `name` is a budget of its own (`authRateLimit('sign-in')`); a request whose IP is
 * unknown is not limited.
 */
export const authRateLimit = (name: string): MiddlewareHandler<AppEnv> =>
  rateLimit({
    name,
    limit: (config) => config.rateLimits.authPerMinute,
    windowSeconds: 60,
    key: clientIp,
  });

/**
 * The caller's IP: the first hop of `X-Forwarded-For` when `TRUST_PROXY` is on (the proxy in front must set
 * it), otherwise the socket's peer. `null` when there is neither, as with `app.request()` in process.
 */
export function clientIp(c: Context<AppEnv>): string | null {
  if (c.var.ctx.config.trustProxy) {
    const first = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (first) return first;
  }
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    // No Node socket behind this request (in-process `app.request()`, another runtime).
    return null;
  }
}
