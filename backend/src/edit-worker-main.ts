import {
  ConfigError,
  createLogger,
  createObjectStore,
  createWorkerMetrics,
  errorFields,
  serveMetrics,
} from '@lumina/runtime';
import { queueNames } from '@lumina/shared';
import { startEditWorker } from './edit/edit-worker.ts';
import { loadEditWorkerConfig } from './edit/edit-worker-config.ts';

// Entry point of the edit worker: `node --import tsx backend/src/edit-worker-main.ts`. Reads its own config
// (edit/edit-worker-config.ts): the queue, the object store and Gemini, nothing of the API's.
const log = createLogger('edit-worker');
try {
  const config = loadEditWorkerConfig(process.env);
  const metrics = createWorkerMetrics('edit_worker');
  const worker = startEditWorker({ config, store: createObjectStore(config.storage), log, metrics });
  const metricsServer =
    config.metrics.port > 0 ? await serveMetrics(metrics.registry, { ...config.metrics, log }) : undefined;
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
