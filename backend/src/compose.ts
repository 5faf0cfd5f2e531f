import { createStripeGateway } from './billing/index.ts';
import type { Config } from './config.ts';
import { type Database, openDatabase } from './db/database.ts';
import { createApp } from './http/app.ts';
import { createLogger, errorFields, type Logger } from './logger.ts';
import { createApiMetrics } from './metrics/index.ts';
import { createBullmqTaskQueue } from './queue/bullmq-task-queue.ts';
import { followTaskEvents } from './queue/task-events.ts';
import { createRedisClient } from './rate-limit/redis-client.ts';
import type { ServiceContext } from './services/context.ts';
import { createEtaEstimator } from './services/estimate-eta.ts';
import { reconcileTasks } from './services/reconcile-tasks.ts';
import { createSignedUrls } from './signed-urls.ts';
import { resolveSigningSecret } from './signing-secret.ts';
import { createObjectStore } from './storage/index.ts';
import { createTaskUpdates } from './task-updates.ts';

export interface Backend {
  readonly ctx: ServiceContext;
  readonly database: Database;
  readonly app: ReturnType<typeof createApp>;
  /** Starts following queue events and, unless configured off, the periodic reconciler. */
  startBackground(): Promise<void>;
  close(): Promise<void>;
}

/** The one composition root: builds the real dependencies from the parsed config. Tests build the same graph. */
export async function composeBackend(config: Config, options: { log?: Logger } = {}): Promise<Backend> {
  const log = options.log ?? createLogger('backend');
  const database = openDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    onConnectionError: (error) => log.warn('database connection lost', errorFields(error)),
  });
  await database.migrate();
  const queue = createBullmqTaskQueue({
    redisUrl: config.redisUrl,
    prefix: config.queuePrefix,
    attempts: config.jobAttempts,
  });
  const redis = createRedisClient(config.redisUrl, log);
  const ctx: ServiceContext = {
    config,
    db: database.db,
    store: createObjectStore(config.storage),
    queue,
    redis,
    signedUrls: createSignedUrls({
      secret: resolveSigningSecret(config.signingSecret, config.dataDir),
      baseUrl: config.publicBaseUrl,
    }),
    updates: createTaskUpdates(),
    eta: createEtaEstimator(database.db),
    log,
    metrics: createApiMetrics({ queueStats: () => queue.stats() }),
    payments: config.billing.stripe === undefined ? undefined : createStripeGateway(config.billing.stripe),
  };
  const app = createApp(ctx, { database: () => database.ping() });

  let events: { close(): Promise<void> } | undefined;
  let reconciler: NodeJS.Timeout | undefined;
  let reconciling: Promise<unknown> = Promise.resolve();

  return {
    ctx,
    database,
    app,
    async startBackground() {
      events = await followTaskEvents(ctx);
      const tick = () => {
        reconciling = reconcileTasks({ ctx })
          .then((summary) => {
            if (summary.requeued + summary.settled + summary.timedOut > 0) log.info('reconciled tasks', { ...summary });
          })
          .catch((error: unknown) => log.error('reconciler failed', errorFields(error)));
      };
      if (config.reconcileIntervalMs > 0) {
        tick();
        reconciler = setInterval(tick, config.reconcileIntervalMs);
        reconciler.unref();
      }
    },
    async close() {
      clearInterval(reconciler);
      await reconciling;
      await events?.close();
      await queue.close();
      await redis.quit().catch(() => redis.disconnect());
      await database.close();
    },
  };
}
