import { createLogger, createObjectStore, errorFields, type Logger } from '@lumina/runtime';
import { createGoogleSignIn } from './auth/google-sign-in.ts';
import { createStripeGateway } from './billing/index.ts';
import type { Config } from './config.ts';
import { type Database, openDatabase } from './db/database.ts';
import { createApp } from './http/app.ts';
import { createSmtpMailer } from './mail/index.ts';
import { createApiMetrics } from './metrics/index.ts';
import { createBullmqTaskQueue } from './queue/bullmq-task-queue.ts';
import { followTaskEvents } from './queue/task-events.ts';
import { createRedisClient } from './rate-limit/redis-client.ts';
import type { ServiceContext } from './services/context.ts';
import { createEtaEstimator } from './services/tasks/estimate-eta.ts';
import { purgeExpiredTasks } from './services/tasks/purge-expired-tasks.ts';
import { reconcileTasks } from './services/tasks/reconcile-tasks.ts';
import { sweepWebhookDeliveries } from './services/webhooks/sweep-webhook-deliveries.ts';
import { createSignedUrls } from './signed-urls.ts';
import { resolveSigningSecret } from './signing-secret.ts';
import { createTaskUpdates } from './task-updates.ts';
import { createImageWork } from './variants/index.ts';
import { createWebhookQueue } from './webhooks/webhook-queue.ts';
import { startWebhookWorker } from './webhooks/webhook-worker.ts';

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
  const database = await openDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    onConnectionError: (error) => log.warn('database connection lost', errorFields(error)),
  });
  await database.migrate();
  const queue = createBullmqTaskQueue({
    redisUrl: config.redisUrl,
    prefix: config.queuePrefix,
    attempts: config.jobAttempts,
    log,
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
    google:
      config.google === undefined
        ? undefined
        : createGoogleSignIn({ ...config.google, redirectUri: `${config.publicBaseUrl}/auth/google/callback` }),
    mailer: config.mail === undefined ? undefined : createSmtpMailer(config.mail),
    webhooks: createWebhookQueue({ redisUrl: config.redisUrl, prefix: config.queuePrefix }),
    imageWork: createImageWork(config.imageWork),
  };
  const app = createApp(ctx, { database: () => database.ping() });

  let events: { close(): Promise<void> } | undefined;
  let webhookWorker: { close(): Promise<void> } | undefined;
  let reconciler: NodeJS.Timeout | undefined;
  let reconciling: Promise<unknown> = Promise.resolve();
  let retention: NodeJS.Timeout | undefined;
  let purging: Promise<unknown> = Promise.resolve();

  return {
    ctx,
    database,
    app,
    async startBackground() {
      events = await followTaskEvents(ctx);
      webhookWorker = await startWebhookWorker(ctx);
      const tick = () => {
        reconciling = Promise.all([
          reconcileTasks({ ctx })
            .then((summary) => {
              if (summary.requeued + summary.settled + summary.timedOut > 0)
                log.info('reconciled tasks', { ...summary });
            })
            .catch((error: unknown) => log.error('reconciler failed', errorFields(error))),
          sweepWebhookDeliveries({ ctx })
            .then((requeued) => {
              if (requeued > 0) log.info('re-queued overdue webhook deliveries', { requeued });
            })
            .catch((error: unknown) => log.error('webhook sweep failed', errorFields(error))),
        ]);
      };
      if (config.reconcileIntervalMs > 0) {
        tick();
        reconciler = setInterval(tick, config.reconcileIntervalMs);
        reconciler.unref();
      }
      if (config.retention.intervalMs > 0) {
        const purge = () => {
          purging = purgeExpiredTasks({ ctx })
            .then(({ deleted }) => {
              if (deleted > 0) log.info('deleted expired tasks', { deleted });
            })
            .catch((error: unknown) => log.error('retention job failed', errorFields(error)));
        };
        purge();
        retention = setInterval(purge, config.retention.intervalMs);
        retention.unref();
      }
    },
    async close() {
      clearInterval(reconciler);
      clearInterval(retention);
      await reconciling;
      await purging;
      await events?.close();
      await webhookWorker?.close();
      await queue.close();
      await ctx.webhooks.close();
      await redis.quit().catch(() => redis.disconnect());
      ctx.mailer?.close();
      await database.close();
    },
  };
}
