import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type StorageConfig, storageConfigFromEnv } from '@lumina/backend/storage';
import { z } from 'zod';
import { chooseThreadCounts, type ThreadCounts } from './choose-thread-counts.ts';

export const ExecutionProvider = z.enum(['cpu', 'cuda']);
export type ExecutionProvider = z.infer<typeof ExecutionProvider>;

const defaultModelsDir = fileURLToPath(new URL('../models', import.meta.url));
const positiveInt = z.coerce.number().int().positive();
const boolean = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const WorkerEnv = z.object({
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })
    .default('redis://127.0.0.1:6379'),
  LUMINA_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('lumina'),
  LUMINA_DATA_DIR: z.string().min(1).default('./data'),
  /** Jobs in flight in one process: their stages overlap, the model runs one (batch) at a time. */
  WORKER_CONCURRENCY: positiveInt.default(4),
  /** 0: every core the process may use on cpu (see choose-thread-counts.ts). */
  ORT_INTRA_OP_THREADS: z.coerce.number().int().nonnegative().default(0),
  /** 0: the cores split across WORKER_CONCURRENCY. */
  SHARP_CONCURRENCY: z.coerce.number().int().nonnegative().default(0),
  /** Decoded pixels (input or output, whichever is larger) of the jobs in flight; one larger image runs alone. */
  WORKER_MAX_PIXELS_IN_FLIGHT: positiveInt.default(64_000_000),
  /** 0: the provider's default (cpu 1, cuda 8). */
  INFERENCE_MAX_BATCH: z.coerce.number().int().nonnegative().default(0),
  /** How long a partial batch waits for more inputs; unset: the provider's default (cpu 0, cuda 2). */
  INFERENCE_BATCH_WAIT_MS: z.coerce.number().int().nonnegative().optional(),
  /** Input pixels per upscale tile side; 0: the provider's default (cpu 192, cuda 512). */
  UPSCALE_TILE_PX: z.coerce.number().int().nonnegative().default(0),
  LUMINA_EXECUTION_PROVIDER: ExecutionProvider.default('cpu'),
  /** With cuda asked for, start on cpu when cuda cannot load instead of refusing to start. */
  LUMINA_ALLOW_CPU_FALLBACK: boolean.default(false),
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
  /** The cores this process may use (`os.availableParallelism()`). */
  readonly cores: number;
  readonly threads: ThreadCounts;
  readonly maxPixelsInFlight: number;
  readonly inference: { readonly maxBatch: number; readonly batchWaitMs: number; readonly upscaleTilePx: number };
  readonly executionProvider: ExecutionProvider;
  readonly allowCpuFallback: boolean;
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
export function loadWorkerConfig(
  env: Record<string, string | undefined>,
  machine: { readonly cores: number } = { cores: availableParallelism() },
): WorkerConfig {
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
    cores: machine.cores,
    threads: chooseThreadCounts({
      cores: machine.cores,
      concurrency: e.WORKER_CONCURRENCY,
      executionProvider: e.LUMINA_EXECUTION_PROVIDER,
      intraOpOverride: e.ORT_INTRA_OP_THREADS,
      sharpOverride: e.SHARP_CONCURRENCY,
    }),
    maxPixelsInFlight: e.WORKER_MAX_PIXELS_IN_FLIGHT,
    inference: inferenceDefaults(e.LUMINA_EXECUTION_PROVIDER, {
      maxBatch: e.INFERENCE_MAX_BATCH,
      batchWaitMs: e.INFERENCE_BATCH_WAIT_MS,
      upscaleTilePx: e.UPSCALE_TILE_PX,
    }),
    executionProvider: e.LUMINA_EXECUTION_PROVIDER,
    allowCpuFallback: e.LUMINA_ALLOW_CPU_FALLBACK,
    modelsDir: resolve(e.LUMINA_MODELS_DIR),
    lockDurationMs: e.WORKER_LOCK_DURATION_MS,
    stalledIntervalMs: e.WORKER_STALLED_INTERVAL_MS,
    metrics: { port: e.WORKER_METRICS_PORT, host: e.WORKER_METRICS_HOST },
    storage,
  });
}

/**
 * Batching and tile size per provider, each overridable. On the 2-core cpu a batch of ISNet costs its size times
 * one run (bench/worker-throughput.ts), so waiting for company only adds latency; on a GPU batch 8 measured 2.4 ms
 * an image against 6.4 ms alone, and larger upscale tiles keep the GPU busy with fewer launches.
 */
function inferenceDefaults(
  provider: ExecutionProvider,
  set: { maxBatch: number; batchWaitMs: number | undefined; upscaleTilePx: number },
): WorkerConfig['inference'] {
  const cuda = provider === 'cuda';
  return {
    maxBatch: set.maxBatch > 0 ? set.maxBatch : cuda ? 8 : 1,
    batchWaitMs: set.batchWaitMs ?? (cuda ? 2 : 0),
    upscaleTilePx: set.upscaleTilePx > 0 ? set.upscaleTilePx : cuda ? 512 : 192,
  };
}
