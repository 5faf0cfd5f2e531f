import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics. Each process (API, gpu-worker, edit worker) keeps a registry of its own, served at its
 * `/metrics`; names are prefixed `lumina_` and labels kept to bounded sets (route patterns, not paths).
 */
export interface ApiMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly requestSeconds: Histogram<'method' | 'route'>;
  readonly tasksSettled: Counter<'operation' | 'outcome'>;
  readonly creditsCaptured: Counter<'operation'>;
  readonly webhookAttempts: Counter<'event' | 'outcome'>;
}

export function createApiMetrics(options: {
  /** Called at each scrape: jobs per queue and state, and the age of the oldest waiting job. */
  queueStats(): Promise<
    Array<{ queue: string; waiting: number; active: number; delayed: number; oldestWaitingSeconds: number }>
  >;
}): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'lumina_api_' });
  const metrics: ApiMetrics = {
    registry,
    requests: new Counter({
      name: 'lumina_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    requestSeconds: new Histogram({
      name: 'lumina_http_request_duration_seconds',
      help: 'Time to answer an HTTP request (until the handler returns; streams not included).',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    tasksSettled: new Counter({
      name: 'lumina_tasks_settled_total',
      help: 'Tasks settled by this process, by operation and outcome (completed, failed, canceled).',
      labelNames: ['operation', 'outcome'],
      registers: [registry],
    }),
    creditsCaptured: new Counter({
      name: 'lumina_credits_spent_total',
      help: 'Credits captured for completed tasks, by operation.',
      labelNames: ['operation'],
      registers: [registry],
    }),
    webhookAttempts: new Counter({
      name: 'lumina_webhook_attempts_total',
      help: 'Webhook attempts made by this process, by event type and outcome (succeeded, retrying, failed).',
      labelNames: ['event', 'outcome'],
      registers: [registry],
    }),
  };
  // Both gauges come from one read of Redis per scrape (prom-client collects metrics concurrently).
  let pending: ReturnType<typeof options.queueStats> | undefined;
  const queueStats = () => {
    pending ??= options.queueStats().finally(() => {
      pending = undefined;
    });
    return pending.catch(() => []); // Redis down: the gauges stay empty rather than failing the scrape.
  };
  const depth: Gauge<'queue' | 'state'> = new Gauge({
    name: 'lumina_queue_jobs',
    help: 'Jobs in each queue by state, read from Redis at scrape time.',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      depth.reset();
      for (const stats of await queueStats()) {
        depth.set({ queue: stats.queue, state: 'waiting' }, stats.waiting);
        depth.set({ queue: stats.queue, state: 'active' }, stats.active);
        depth.set({ queue: stats.queue, state: 'delayed' }, stats.delayed);
      }
    },
  });
  const age: Gauge<'queue'> = new Gauge({
    name: 'lumina_queue_oldest_waiting_seconds',
    help: 'Age of the oldest job waiting in each queue (0 when none waits).',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      age.reset();
      for (const stats of await queueStats()) age.set({ queue: stats.queue }, stats.oldestWaitingSeconds);
    },
  });
  return metrics;
}
