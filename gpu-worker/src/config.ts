import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  nonNegativeIntEnv,
  parseEnv,
  portEnv,
  positiveIntEnv,
  queueEnv,
  storageConfigOf,
  storageEnv,
} from '@lumina/runtime';
import { z } from 'zod';

export const ExecutionProvider = z.enum(['cpu', 'cuda']);
export type ExecutionProvider = z.infer<typeof ExecutionProvider>;

const defaultModelsDir = fileURLToPath(new URL('../models', import.meta.url));

/**
 * The gpu-worker's environment, each variable declared once; its transform is the typed config. The queue and
 * storage variables are the runtime package's, as the backend declares them, so both sides find the same jobs
 * and objects.
 */
export const WorkerEnv = z
  .object({
    ...queueEnv,
    ...storageEnv,
    WORKER_CONCURRENCY: positiveIntEnv.default(1),
    /** 0 lets onnxruntime pick (one thread per physical core). */
    ORT_INTRA_OP_THREADS: nonNegativeIntEnv.default(0),
    LUMINA_EXECUTION_PROVIDER: ExecutionProvider.default('cpu'),
    LUMINA_MODELS_DIR: z.string().min(1).default(defaultModelsDir),
    WORKER_LOCK_DURATION_MS: positiveIntEnv.default(30_000),
    WORKER_STALLED_INTERVAL_MS: positiveIntEnv.default(30_000),
    /** `/metrics` for Prometheus on this port (0: not served); a port already taken is logged and skipped. */
    WORKER_METRICS_PORT: portEnv.default(9464),
    WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  })
  .transform((e) => ({
    redisUrl: e.REDIS_URL,
    /** BullMQ key prefix; the backend and its workers must agree on it. */
    queuePrefix: e.LUMINA_QUEUE_PREFIX,
    concurrency: e.WORKER_CONCURRENCY,
    intraOpThreads: e.ORT_INTRA_OP_THREADS,
    executionProvider: e.LUMINA_EXECUTION_PROVIDER,
    modelsDir: resolve(e.LUMINA_MODELS_DIR),
    lockDurationMs: e.WORKER_LOCK_DURATION_MS,
    stalledIntervalMs: e.WORKER_STALLED_INTERVAL_MS,
    metrics: { port: e.WORKER_METRICS_PORT, host: e.WORKER_METRICS_HOST },
    storage: storageConfigOf(e, resolve(e.LUMINA_DATA_DIR)),
  }));
export type WorkerConfig = z.output<typeof WorkerEnv>;

/** Parses the environment once, at process start; nothing else reads `process.env`. */
export const loadWorkerConfig = (env: Record<string, string | undefined>): WorkerConfig =>
  parseEnv(WorkerEnv, env, 'gpu-worker');
