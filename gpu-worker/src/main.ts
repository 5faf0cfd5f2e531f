import { createLogger, createObjectStore, createWorkerMetrics, errorFields, serveMetrics } from '@lumina/runtime';
import { queueNames } from '@lumina/shared';
import { loadWorkerConfig } from './config.ts';
import { startGpuWorker } from './worker.ts';

// Entry point: `node --import tsx gpu-worker/src/main.ts`. The one place that reads process.env.
const log = createLogger('gpu-worker');
try {
  const config = loadWorkerConfig(process.env);
  const metrics = createWorkerMetrics('gpu_worker');
  const worker = await startGpuWorker({ config, store: createObjectStore(config.storage), log, metrics });
  const metricsServer =
    config.metrics.port > 0 ? await serveMetrics(metrics.registry, { ...config.metrics, log }) : undefined;

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second signal means "now": the active job is abandoned and another worker picks it up once stalled.
      log.warn('second signal, exiting without waiting for the active job', { signal });
      process.exit(1);
    }
    stopping = true;
    log.info('stopping: finishing the active job', { signal });
    try {
      await worker.close();
      await metricsServer?.close();
      log.info('stopped');
      process.exit(0);
    } catch (error) {
      log.error('could not stop cleanly', errorFields(error));
      process.exit(1);
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void stop(signal));

  await worker.ready;
  log.info('gpu worker ready', {
    model: worker.model,
    executionProvider: worker.executionProvider,
    queue: queueNames.gpu,
    prefix: config.queuePrefix,
    concurrency: config.concurrency,
    metricsPort: metricsServer?.port ?? null,
  });
} catch (error) {
  log.error('gpu worker failed to start', errorFields(error));
  process.exit(1);
}
