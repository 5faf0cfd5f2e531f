import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';

/**
 * One check-and-consume of a weighted sliding window, atomic because it is a single Lua script.
 *
 * It keeps an exact log rather than the two-window approximation: the approximation assumes the previous
 * window's units were spread evenly, so right after a burst it can refuse a client whose window has in fact
 * emptied, or admit more than `limit` within one real window, and it cannot say when a refused request will
 * fit. The log answers both exactly (`Retry-After` is the moment enough units leave the window), and costs no
 * more than it must: its size is bounded by `limit` (every entry is worth at least one unit) and each call is
 * O(log n), because an entry carries the running total of units so far instead of a count to add up.
 *
 * The log is one sorted set per key: score = Redis server time in microseconds (`TIME`, never the client's
 * clock), member = `<running total>:<cost>`, unique because the running total only grows. It expires on its own
 * one window after its newest entry.
 */
const script = `
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
-- A cost of 0 asks whether one more unit would fit, and consumes nothing.
local peek = cost == 0
if peek then cost = 1 end

local function parse(member)
  local total, units = string.match(member, '^(%d+):(%d+)$')
  return tonumber(total), tonumber(units)
end
local function int(n)
  return string.format('%.0f', n)
end

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
-- Keep the log in time order even if the server clock steps back.
local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
if newest[2] and tonumber(newest[2]) > now then now = tonumber(newest[2]) end

-- An entry exactly one window old has left the window.
redis.call('ZREMRANGEBYSCORE', key, '-inf', int(now - window))

local used, before, total, newestAt = 0, 0, 0, now
local count = redis.call('ZCARD', key)
if count > 0 then
  local oldestTotal, oldestUnits = parse(redis.call('ZRANGE', key, 0, 0)[1])
  before = oldestTotal - oldestUnits
  newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  total = parse(newest[1])
  newestAt = tonumber(newest[2])
  used = total - before
end

if peek and used + cost <= limit then
  return {1, limit - used, used > 0 and (newestAt + window - now) or 0, 0}
end
if used + cost <= limit then
  redis.call('ZADD', key, int(now), int(total + cost) .. ':' .. int(cost))
  redis.call('PEXPIRE', key, int(math.ceil(window / 1000)))
  return {1, limit - used - cost, window, 0}
end

-- Refused, nothing consumed. It fits once the oldest entries worth \`need\` units have left the window: find the
-- first entry whose running total reaches before + need (binary search over ranks, each lookup O(log n)).
local need = used + cost - limit
local low, high = 0, count - 1
while low < high do
  local mid = math.floor((low + high) / 2)
  if parse(redis.call('ZRANGE', key, mid, mid)[1]) >= before + need then high = mid else low = mid + 1 end
end
local freedAt = tonumber(redis.call('ZRANGE', key, low, low, 'WITHSCORES')[2])
return {0, limit - used, newestAt + window - now, freedAt + window - now}
`;

const scriptSha = createHash('sha1').update(script).digest('hex');

const ScriptReply = z.tuple([z.literal([0, 1]), z.number().int(), z.number().int(), z.number().int()]);

export interface RateLimitRequest {
  /** The Redis key of this policy and caller. */
  readonly key: string;
  /** Units allowed in any window; positive. */
  readonly limit: number;
  readonly windowSeconds: number;
  /**
   * Units this request consumes; a cost above `limit` counts as `limit`, so such a request can still pass.
   * 0 only looks: allowed when one more unit would fit, and nothing is consumed.
   */
  readonly cost: number;
}

export interface RateLimitResult {
  readonly allowed: boolean;
  readonly limit: number;
  /** Units left in the window after this request. */
  readonly remaining: number;
  /** Seconds until every unit now in the window has left it (the quota is whole again); 0 when none is used. */
  readonly resetSeconds: number;
  /** When refused: seconds until enough units leave the window for this request to fit. */
  readonly retryAfterSeconds: number | null;
}

const secondsOf = (micros: number) => Math.max(0, Math.ceil(micros / 1_000_000));

/** Consumes `cost` units of the window at `key`, or refuses and consumes nothing. Rejects when Redis fails. */
export async function consumeRateLimit(redis: Redis, request: RateLimitRequest): Promise<RateLimitResult> {
  const limit = Math.max(1, Math.floor(request.limit));
  const cost = request.cost === 0 ? 0 : Math.min(limit, Math.max(1, Math.ceil(request.cost)));
  const args = [limit, Math.round(request.windowSeconds * 1_000_000), cost];
  let reply: unknown;
  try {
    reply = await redis.evalsha(scriptSha, 1, request.key, ...args);
  } catch (error) {
    // The script cache is empty after a restart or failover: send the script itself once.
    if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
    reply = await redis.eval(script, 1, request.key, ...args);
  }
  const [allowed, remaining, resetMicros, retryMicros] = ScriptReply.parse(reply);
  return {
    allowed: allowed === 1,
    limit,
    remaining,
    resetSeconds: secondsOf(resetMicros),
    // Retry-After is whole seconds and must not invite a retry that is refused again.
    retryAfterSeconds: allowed === 1 ? null : Math.max(1, secondsOf(retryMicros)),
  };
}
