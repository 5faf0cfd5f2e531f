import { queueNames } from '@lumina/shared';
import { ConfigError, loadConfig } from './config.ts';
import { startEditWorker } from './edit/edit-worker.ts';
import { createLogger, errorFields } from './logger.ts';
import { createWorkerMetrics } from './metrics/index.ts';
import { serveMetrics } from './metrics/serve-metrics.ts';
import { createObjectStore } from './storage/index.ts';

// Entry point of the edit worker: `node --import tsx backend/src/edit-worker-main.ts`. Reads the backend's config.
const log = createLogger('edit-worker');
try {
  const config = loadConfig(process.env);
  if (config.gemini.apiKey === undefined) {
    log.error('GEMINI_API_KEY is not set: there is nothing for the edit worker to do');
    process.exit(2);
  }
  const metrics = createWorkerMetrics('edit_worker');
  const worker = startEditWorker({ config, store: createObjectStore(config.storage), log, metrics });
  const metricsServer =
    config.gemini.metricsPort > 0
      ? await serveMetrics(metrics.registry, {
          port: config.gemini.metricsPort,
          host: config.host,
          log,
          token: config.metricsToken,
        })
      : undefined;
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info('stopping: finishing the active edits', { signal });
    await worker.close();
    await metricsServer?.close();
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void stop(signal));
  await worker.ready;
  log.info('edit worker ready', {
    queue: queueNames.edit,
    model: config.gemini.model,
    concurrency: config.gemini.concurrency,
    editsPerMinute: config.gemini.editsPerMinute,
    metricsPort: metricsServer?.port ?? null,
  });
} catch (error) {
  if (error instanceof ConfigError) process.stderr.write(`lumina: ${error.message}\n`);
  else log.error('edit worker failed to start', errorFields(error));
  process.exit(error instanceof ConfigError ? 2 : 1);
}
