import type { ConnectionOptions } from 'bullmq';

/**
 * BullMQ connection options from a redis:// or rediss:// URL, for the backend and the gpu-worker alike.
 * Producers fail fast when Redis is down (the reconciler enqueues later); workers and event listeners wait for
 * Redis rather than fail a command.
 */
export function redisConnection(redisUrl: string, role: 'producer' | 'consumer'): ConnectionOptions {
  const url = new URL(redisUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    db: Number(url.pathname.slice(1) || 0),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    ...(role === 'producer' ? { enableOfflineQueue: false, maxRetriesPerRequest: 1 } : { maxRetriesPerRequest: null }),
  };
}
