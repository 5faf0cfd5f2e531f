import { getConnInfo } from '@hono/node-server/conninfo';
import { errorFields } from '@lumina/runtime';
import type { Context, MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import ipaddr from 'ipaddr.js';
import type { Principal } from '../auth/principal.ts';
import type { Config } from '../config.ts';
import { ApiError } from '../errors.ts';
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
  /**
   * When Redis cannot answer: `true` refuses with 503 (sign-in, sign-up, pairing: a guessing attack must not
   * get through an outage of the limiter); otherwise the request passes (the image API stays up).
   */
  readonly failClosed?: boolean;
  /** Sends the rate-limit headers only on a refusal: for a limit stacked under another that reports them. */
  readonly headersOnRefusal?: boolean;
}

/** What an API request costs: a submit stores an upload and queues model work, a read is a database lookup. */
export const apiCostUnits = { submit: 10, read: 1 } as const;

const policyNamePattern = /^[a-z0-9][a-z0-9-]*$/;
const warnEveryMs = 10_000;
const limiterDownRetrySeconds = 5;
const limiterDown = () =>
  new ApiError('unavailable', 'The rate limiter cannot be reached; try again in a moment.', {
    retryAfterSeconds: limiterDownRetrySeconds,
  });

/**
 * A sliding-window limit on the routes it is mounted on. Every answer of a limited route carries the policy and
 * what is left of it, as `RateLimit-Policy` / `RateLimit` (IETF httpapi draft, structured fields) and the older
 * `X-RateLimit-Limit` / `-Remaining` / `-Reset` (reset in seconds from now, as the draft's `t`). A request over
 * the limit is a 429 `rate_limited` with `Retry-After` and consumes nothing. When Redis cannot answer, requests
 * pass unlimited (with a warning in the log), so an outage of the limiter does not become an outage of the API,
 * except under a `failClosed` policy, which answers 503 `unavailable` until Redis is back.
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
        ctx.log.warn(`rate limiter unavailable, ${policy.failClosed ? 'refusing' : 'letting'} requests through`, {
          policy: policy.name,
          ...errorFields(error),
        });
      }
      if (policy.failClosed) {
        c.header('Retry-After', String(limiterDownRetrySeconds));
        throw limiterDown();
      }
      return next();
    }

    if (!policy.headersOnRefusal || result.retryAfterSeconds !== null) {
      c.header('RateLimit-Policy', `"${policy.name}";q=${result.limit};w=${policy.windowSeconds}`);
      c.header('RateLimit', `"${policy.name}";r=${result.remaining};t=${result.resetSeconds}`);
      c.header('X-RateLimit-Limit', String(result.limit));
      c.header('X-RateLimit-Remaining', String(result.remaining));
      c.header('X-RateLimit-Reset', String(result.resetSeconds));
    }
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
 * person's browser and plugin sessions share one budget), weighted by `costUnits` of the route it is mounted on;
 * and, on top, one budget per team that all its keys and people share, so minting more keys buys no more.
 * Mounts with different costs share one budget.
 */
export function apiRateLimit(costUnits: number): MiddlewareHandler<AppEnv> {
  const perCaller = rateLimit({
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
  const perTeam = rateLimit({
    name: 'api-team',
    limit: (config) => config.rateLimits.teamUnitsPerMinute,
    windowSeconds: 60,
    key: (c) => {
      const principal: Principal | undefined = c.var.principal;
      return principal ? principal.teamId : null;
    },
    cost: () => costUnits,
    headersOnRefusal: true,
  });
  // The caller's own limit is asked first: a key over its budget is refused without spending the team's.
  return createMiddleware<AppEnv>(async (c, next) => {
    let refusedForTeam: Response | undefined;
    const refusedForCaller = await perCaller(c, async () => {
      refusedForTeam = (await perTeam(c, next)) ?? undefined;
    });
    return refusedForCaller ?? refusedForTeam;
  });
}

/**
 * Per client network, for the unauthenticated sign-in, sign-up and pairing routes: `RATE_LIMIT_AUTH_PER_MINUTE`
 * requests a minute. Each `name` is a budget of its own (`authRateLimit('sign-in')`); a request whose IP is
 * unknown is not limited. Closed when Redis is down: these are the routes a guessing attack goes for.
 */
export const authRateLimit = (name: string): MiddlewareHandler<AppEnv> =>
  rateLimit({
    name,
    limit: (config) => config.rateLimits.authPerMinute,
    windowSeconds: 60,
    key: clientNetwork,
    failClosed: true,
  });

/**
 * Looking up a pairing by its user code (the API and the `/pair` page), per signed-in person: the code is short
 * enough to guess, so guesses are counted. Closed when Redis is down, like the other sign-in routes.
 */
export const pairingCodeRateLimit: MiddlewareHandler<AppEnv> = rateLimit({
  name: 'pairing-code',
  limit: (config) => config.rateLimits.pairingCodePerMinute,
  windowSeconds: 60,
  key: (c) => {
    const principal: Principal | undefined = c.var.principal;
    return principal?.kind === 'user' ? principal.userId : null;
  },
  failClosed: true,
});

/**
 * The plugin's token poll, per client network (`RATE_LIMIT_PAIRING_POLL_PER_MINUTE`): a plugin polls at the
 * pairing's interval and stays far below it, while a client hammering the poll is refused before the database is
 * asked. Open when Redis is down: the poll secret cannot be guessed, so this limit guards capacity, not a secret.
 */
export const pairingPollRateLimit: MiddlewareHandler<AppEnv> = rateLimit({
  name: 'pairing-poll',
  limit: (config) => config.rateLimits.pairingPollPerMinute,
  windowSeconds: 60,
  key: clientNetwork,
});

/** The policy name of failed authentication, per client network. */
const authFailurePolicy = 'auth-failures';

/**
 * Failed authentication is limited per client network: past `RATE_LIMIT_AUTH_FAILURES_PER_MINUTE` failures, the
 * network's next requests with a credential are refused with 429 before it is looked at, so guessing keys or
 * tokens costs the database nothing. `authenticateWith` checks the credential the request presented; a failure
 * spends one unit. Open when Redis is down (this guards the image API, which stays up).
 */
export async function limitAuthFailures<T>(c: Context<AppEnv>, authenticateWith: () => Promise<T>): Promise<T> {
  const ctx = c.var.ctx;
  const limit = ctx.config.rateLimits.authFailuresPerMinute;
  const network = limit > 0 ? clientNetwork(c) : null;
  if (network === null) return authenticateWith();
  const key = `${ctx.config.queuePrefix}:lumina:ratelimit:${authFailurePolicy}:${network}`;
  const room = await consumeRateLimit(ctx.redis, { key, limit, windowSeconds: 60, cost: 0 }).catch(() => null);
  if (room !== null && !room.allowed) {
    const retryAfterSeconds = room.retryAfterSeconds ?? 60;
    c.header('Retry-After', String(retryAfterSeconds));
    throw new ApiError('rate_limited', `Too many failed sign-ins from your network; retry in ${retryAfterSeconds} s.`, {
      policy: authFailurePolicy,
      retryAfterSeconds,
    });
  }
  try {
    return await authenticateWith();
  } catch (error) {
    if (error instanceof ApiError && error.code === 'unauthorized') {
      await consumeRateLimit(ctx.redis, { key, limit, windowSeconds: 60, cost: 1 }).catch(() => null);
    }
    throw error;
  }
}

/**
 * The network a client IP belongs to, as rate limits count it: an IPv4 address is its own, but an IPv6 host
 * usually holds a whole /64 (`RATE_LIMIT_IPV6_PREFIX`), and counting each of its 2^64 addresses apart would let
 * one host have unlimited budgets. An IPv4-mapped IPv6 address counts as its IPv4 address.
 */
export function clientNetwork(c: Context<AppEnv>): string | null {
  const ip = clientIp(c);
  if (ip === null || !ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  const prefix = c.var.ctx.config.rateLimits.ipv6PrefixLength;
  const bare = address.toString().replace(/%.*$/, '');
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${bare}/${prefix}`).toString()}/${prefix}`;
}

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
