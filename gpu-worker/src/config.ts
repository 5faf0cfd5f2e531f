import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type StorageConfig, storageConfigFromEnv } from '@lumina/backend/storage';
import { z } from 'zod';

export const ExecutionProvider = z.enum(['cpu', 'cuda']);
export type ExecutionProvider = z.infer<typeof ExecutionProvider>;

const defaultModelsDir = fileURLToPath(new URL('../models', import.meta.url));
const positiveInt = z.coerce.number().int().positive();

const WorkerEnv = z.object({
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })
    .default('redis://127.0.0.1:6379'),
  LUMINA_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('lumina'),
  LUMINA_DATA_DIR: z.string().min(1).default('./data'),
  WORKER_CONCURRENCY: positiveInt.default(1),
  /** 0 lets onnxruntime pick (one thread per physical core). */
  ORT_INTRA_OP_THREADS: z.coerce.number().int().nonnegative().default(0),
  LUMINA_EXECUTION_PROVIDER: ExecutionProvider.default('cpu'),
  LUMINA_MODELS_DIR: z.string().min(1).default(defaultModelsDir),
  WORKER_LOCK_DURATION_MS: positiveInt.default(30_000),
  WORKER_STALLED_INTERVAL_MS: positiveInt.default(30_000),
  /** `/metrics` for Prometheus on this port (0: not served); a port already taken is logged and skipped. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
});

export interface WorkerConfig {
  readonly redisUrl: string;
  /** BullMQ key prefix; the backend and its workers must agree on it. */
  readonly queuePrefix: string;
  readonly concurrency: number;
  readonly intraOpThreads: number;
  readonly executionProvider: ExecutionProvider;
  readonly modelsDir: string;
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
  readonly metrics: { readonly port: number; readonly host: string };
  readonly storage: StorageConfig;
}

/**
 * Parses the environment once, at process start; nothing else reads `process.env`. Every problem is reported
 * with the variable's name. Storage is configured exactly as the backend configures it, so both sides find
 * the same objects.
 */
export function loadWorkerConfig(env: Record<string, string | undefined>): WorkerConfig {
  const parsed = WorkerEnv.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid gpu-worker configuration:\n${problems.join('\n')}`);
  }
  const e = parsed.data;
  let storage: StorageConfig;
  try {
    storage = storageConfigFromEnv(env, resolve(e.LUMINA_DATA_DIR));
  } catch (error) {
    throw new Error(`invalid gpu-worker configuration:\n  ${error instanceof Error ? error.message : String(error)}`);
  }
  return Object.freeze({
    redisUrl: e.REDIS_URL,
    queuePrefix: e.LUMINA_QUEUE_PREFIX,
    concurrency: e.WORKER_CONCURRENCY,
    intraOpThreads: e.ORT_INTRA_OP_THREADS,
    executionProvider: e.LUMINA_EXECUTION_PROVIDER,
    modelsDir: resolve(e.LUMINA_MODELS_DIR),
    lockDurationMs: e.WORKER_LOCK_DURATION_MS,
    stalledIntervalMs: e.WORKER_STALLED_INTERVAL_MS,
    metrics: { port: e.WORKER_METRICS_PORT, host: e.WORKER_METRICS_HOST },
    storage,
  });
}
