import { errorFields, type Logger } from '@lumina/runtime';
import { Redis } from 'ioredis';

/**
 * The API's own Redis client for request-time work (rate limits). A command gives up after one reconnect
 * attempt or `commandTimeoutMs`, so a Redis outage costs a request at most about a second (the rate limiter
 * then lets it through) instead of holding it until Redis is back. Commands sent while the first connection
 * is still opening wait for it.
 */
export function createRedisClient(redisUrl: string, log: Logger, options: { commandTimeoutMs?: number } = {}): Redis {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, commandTimeout: options.commandTimeoutMs ?? 1000 });
  // One warning per outage, not one per reconnect attempt.
  let down = false;
  redis.on('error', (error: unknown) => {
    if (down) return;
    down = true;
    log.warn('redis unreachable', errorFields(error));
  });
  redis.on('ready', () => {
    if (down) log.info('redis reachable again');
    down = false;
  });
  return redis;
}
