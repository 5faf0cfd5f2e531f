// What every Lumina Node process shares (the API, the gpu-worker, the edit worker): logging, object storage,
// the queue's Redis connection, worker metrics and the config rules. It knows nothing of the API.
export { ConfigError } from './config/config-error.ts';
export { booleanEnv, nonNegativeIntEnv, portEnv, positiveIntEnv, queueEnv } from './config/env-fields.ts';
export { parseEnv } from './config/parse-env.ts';
export { createLogger, errorFields, type Logger, silentLogger } from './logger.ts';
export { redisConnection } from './redis-connection.ts';
export { serveMetrics } from './serve-metrics.ts';
export {
  createFsObjectStore,
  createObjectStore,
  createS3ObjectStore,
  type ObjectStore,
  StorageConfig,
  storageConfigFromEnv,
  storageConfigOf,
  storageEnv,
} from './storage/index.ts';
export { createWorkerMetrics, type WorkerMetrics } from './worker-metrics.ts';
