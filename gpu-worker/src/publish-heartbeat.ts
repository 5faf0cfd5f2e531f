import { errorFields, type Logger } from '@lumina/runtime';
import { type WorkerHeartbeat, workerHeartbeatKey } from '@lumina/shared';

/** The two Redis commands a heartbeat needs, as BullMQ's client exposes them; the worker's own connection serves. */
export interface HeartbeatRedis {
  set(key: string, value: string, options: { EX: number }): Promise<unknown>;
  del(key: string): Promise<unknown>;
}

export interface PublishHeartbeatOptions {
  readonly redis: () => Promise<HeartbeatRedis>;
  readonly queuePrefix: string;
  readonly heartbeat: WorkerHeartbeat;
  readonly log: Logger;
  /** A worker that stops refreshing (killed, partitioned) disappears from `/readyz` after this long. */
  readonly ttlSeconds?: number;
}

export interface Heartbeat {
  /** Writes the heartbeat now and then every third of its TTL. */
  start(): Promise<void>;
  /** Stops refreshing and deletes the key, so `/readyz` stops listing this worker at once. */
  stop(): Promise<void>;
}

/**
 * A small JSON key per worker with a TTL it keeps refreshing: the backend cannot see which execution provider
 * a worker got (CUDA falls back to CPU), so each worker says so itself. A failed write is logged, never fatal:
 * the heartbeat is for operators, the jobs do not depend on it.
 */
export function publishHeartbeat({
  redis,
  queuePrefix,
  heartbeat,
  log,
  ttlSeconds = 30,
}: PublishHeartbeatOptions): Heartbeat {
  const key = workerHeartbeatKey(queuePrefix, heartbeat.workerId);
  const body = JSON.stringify(heartbeat);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();

  const write = () => {
    inFlight = (async () => {
      try {
        await (await redis()).set(key, body, { EX: ttlSeconds });
      } catch (error) {
        log.warn('could not publish the worker heartbeat', { key, ...errorFields(error) });
      }
    })();
    return inFlight;
  };

  return {
    async start() {
      if (stopped || timer) return;
      await write();
      if (stopped) return;
      timer = setInterval(() => void write(), (ttlSeconds * 1000) / 3);
      timer.unref();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await inFlight;
      try {
        await (await redis()).del(key);
      } catch (error) {
        log.warn('could not remove the worker heartbeat', { key, ...errorFields(error) });
      }
    },
  };
}
