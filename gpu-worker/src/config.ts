import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  booleanEnv,
  nonNegativeIntEnv,
  parseEnv,
  portEnv,
  positiveIntEnv,
  queueEnv,
  storageConfigOf,
  storageEnv,
} from '@lumina/runtime';
import { z } from 'zod';
import { chooseThreadCounts } from './choose-thread-counts.ts';

export const ExecutionProvider = z.enum(['cpu', 'cuda']);
export type ExecutionProvider = z.infer<typeof ExecutionProvider>;

const defaultModelsDir = fileURLToPath(new URL('../models', import.meta.url));

/**
 * The gpu-worker's environment, each variable declared once; its transform is the typed config. The queue and
 * storage variables are the runtime package's, as the backend declares them, so both sides find the same jobs
 * and objects. Thread counts depend on the machine's cores, so the schema is made for a machine.
 */
const workerEnv = (machine: { readonly cores: number }) =>
  z
    .object({
      ...queueEnv,
      ...storageEnv,
      /** Jobs in flight in one process: their stages overlap, the model runs one (batch) at a time. */
      WORKER_CONCURRENCY: positiveIntEnv.default(4),
      /** 0: every core the process may use on cpu (see choose-thread-counts.ts). */
      ORT_INTRA_OP_THREADS: nonNegativeIntEnv.default(0),
      /** 0: the cores split across WORKER_CONCURRENCY. */
      SHARP_CONCURRENCY: nonNegativeIntEnv.default(0),
      /** Decoded pixels (input or output, whichever is larger) of the jobs in flight; one larger image runs alone. */
      WORKER_MAX_PIXELS_IN_FLIGHT: positiveIntEnv.default(64_000_000),
      /** 0: the provider's default (cpu 1, cuda 8); removal inputs of several jobs, and the tiles of one upscale. */
      INFERENCE_MAX_BATCH: nonNegativeIntEnv.default(0),
      /** How long a partial batch waits for more inputs; unset: the provider's default (cpu 0, cuda 2). */
      INFERENCE_BATCH_WAIT_MS: nonNegativeIntEnv.optional(),
      /** Input pixels per upscale tile side; 0: the provider's default (cpu 192, cuda 512). */
      UPSCALE_TILE_PX: nonNegativeIntEnv.default(0),
      LUMINA_EXECUTION_PROVIDER: ExecutionProvider.default('cpu'),
      /** With cuda asked for, start on cpu when cuda cannot load instead of refusing to start. */
      LUMINA_ALLOW_CPU_FALLBACK: booleanEnv.default(false),
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
      /** The cores this process may use (`os.availableParallelism()`). */
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
      storage: storageConfigOf(e, resolve(e.LUMINA_DATA_DIR)),
    }));
export type WorkerConfig = z.output<ReturnType<typeof workerEnv>>;

/** Parses the environment once, at process start; nothing else reads `process.env`. */
export const loadWorkerConfig = (
  env: Record<string, string | undefined>,
  machine: { readonly cores: number } = { cores: availableParallelism() },
): WorkerConfig => parseEnv(workerEnv(machine), env, 'gpu-worker');

/**
 * Batching and tile size per provider, each overridable. On the 2-core cpu a batch of ISNet costs its size times
 * one run (bench/worker-throughput.ts), so waiting for company only adds latency; on a GPU batch 8 measured 2.4 ms
 * an image against 6.4 ms alone, and larger upscale tiles keep the GPU busy with fewer launches.
 */
function inferenceDefaults(
  provider: ExecutionProvider,
  set: { maxBatch: number; batchWaitMs: number | undefined; upscaleTilePx: number },
): { readonly maxBatch: number; readonly batchWaitMs: number; readonly upscaleTilePx: number } {
  const cuda = provider === 'cuda';
  return {
    maxBatch: set.maxBatch > 0 ? set.maxBatch : cuda ? 8 : 1,
    batchWaitMs: set.batchWaitMs ?? (cuda ? 2 : 0),
    upscaleTilePx: set.upscaleTilePx > 0 ? set.upscaleTilePx : cuda ? 512 : 192,
  };
}
