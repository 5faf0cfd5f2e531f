import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ObjectStore, WorkerMetrics } from '@lumina/runtime';
import { errorFields, type Logger, redisConnection } from '@lumina/runtime';
import { type GpuJobResult, queueNames, TaskJob } from '@lumina/shared';
import { Worker } from 'bullmq';
import sharp from 'sharp';
import type { ExecutionProvider, WorkerConfig } from './config.ts';
import { createGpuMetrics } from './gpu-metrics.ts';
import { loadModelSession } from './inference/load-model-session.ts';
import { loadUpscaleSession, type UpscaleSession } from './inference/load-upscale-session.ts';
import { type CancelListener, listenForCancels } from './listen-for-cancels.ts';
import { loadModelRegistry, modelFor } from './models/registry.ts';
import { chooseUpscaleModel } from './pipeline/choose-upscale-model.ts';
import { pixelBudget } from './pixel-budget.ts';
import { createGpuJobProcessor } from './processor.ts';
import { publishHeartbeat } from './publish-heartbeat.ts';

export interface GpuWorker {
  /** The provider running the model: `cpu` when `cuda` was asked for but could not start. */
  readonly executionProvider: ExecutionProvider;
  readonly model: string;
  /** `wrk_…`, this worker's name in its heartbeat (`/readyz`). */
  readonly workerId: string;
  /** Settles once the worker is connected to Redis and listening for jobs. */
  readonly ready: Promise<void>;
  /** Withdraws its heartbeat, stops taking jobs and waits for the active ones to finish. */
  close(): Promise<void>;
}

export interface StartGpuWorkerOptions {
  readonly config: WorkerConfig;
  readonly store: ObjectStore;
  readonly log: Logger;
  /** Counts jobs and observes inference time; the caller serves them (`gpu-worker/src/main.ts`). */
  readonly metrics?: WorkerMetrics;
}

/**
 * Loads and warms the model first, then starts consuming the gpu queue: a worker that is listening can take
 * a job at once, and a job should never wait behind a cold model or be taken by a worker whose model is
 * missing or corrupt.
 */
export async function startGpuWorker({ config, store, log, metrics }: StartGpuWorkerOptions): Promise<GpuWorker> {
  const { threads } = config;
  // libvips' threads are process-wide: set before any image is touched, so decode and encode never take more
  // cores than their share next to the inference thread.
  sharp.concurrency(threads.sharpConcurrency);
  log.info('thread settings', {
    cores: config.cores,
    concurrency: config.concurrency,
    intraOpThreads: threads.intraOpThreads,
    intraOpThreadsFrom: threads.source.intraOpThreads,
    sharpConcurrency: sharp.concurrency(),
    sharpConcurrencyFrom: threads.source.sharpConcurrency,
    libuvThreadpool: Number(process.env.UV_THREADPOOL_SIZE ?? 4),
    maxPixelsInFlight: config.maxPixelsInFlight,
    ...config.inference,
  });
  const gpuMetrics = metrics ? createGpuMetrics(metrics.registry) : undefined;
  const sessionOptions = {
    executionProvider: config.executionProvider,
    allowCpuFallback: config.allowCpuFallback,
    intraOpThreads: threads.intraOpThreads,
    ...(gpuMetrics ? { observer: gpuMetrics.observer } : {}),
    log,
  };

  const registry = await loadModelRegistry(config.modelsDir);
  const session = await loadModelSession({
    registry,
    model: modelFor(registry, 'remove-background', config.executionProvider),
    maxBatch: config.inference.maxBatch,
    batchWaitMs: config.inference.batchWaitMs,
    ...sessionOptions,
  });
  // Twelve upscalers are registered; each is loaded when a job first asks for it (slim loads in well under a
  // second, thick in a few), so a worker does not pay for models nobody uses.
  const upscalers = new Map<string, Promise<UpscaleSession>>();
  const pixels = pixelBudget(config.maxPixelsInFlight);
  // Set right after the worker exists; the processor reads it only once jobs run.
  let cancels: CancelListener | undefined;

  const worker = new Worker<unknown, GpuJobResult>(
    queueNames.gpu,
    createGpuJobProcessor({
      store,
      removeBackground: session,
      pixels,
      upscaleTilePx: config.inference.upscaleTilePx,
      cancelRequested: async (taskId) => (await cancels?.requested(taskId)) ?? false,
      upscaler: (params) => {
        const model = chooseUpscaleModel(registry, params);
        let upscaler = upscalers.get(model.id);
        if (!upscaler) {
          upscaler = loadUpscaleSession({
            registry,
            model,
            maxBatch: config.inference.maxBatch,
            batchWaitMs: config.inference.batchWaitMs,
            ...sessionOptions,
          });
          upscalers.set(model.id, upscaler);
          // A model that failed to load is tried again by the next job rather than failing every job after it.
          upscaler.catch(() => upscalers.delete(model.id));
        }
        return upscaler;
      },
    }),
    {
      connection: redisConnection(config.redisUrl, 'consumer'),
      prefix: config.queuePrefix,
      concurrency: config.concurrency,
      lockDuration: config.lockDurationMs,
      stalledInterval: config.stalledIntervalMs,
    },
  );
  const inFlight = new Set<string>();
  cancels = listenForCancels({
    client: () => worker.client,
    queuePrefix: config.queuePrefix,
    inFlight: () => inFlight,
    onCancel: (taskId) => {
      if (worker.cancelJob(taskId, 'canceled on request')) log.info('job canceled on request', { taskId });
    },
    log,
  });
  worker.on('active', (job) => {
    if (job.id) inFlight.add(job.id);
    gpuMetrics?.jobsInFlight.inc();
    gpuMetrics?.pixelsInFlight.set(pixels.inUse);
  });
  const settled = (id: string | undefined) => {
    if (id) inFlight.delete(id);
    gpuMetrics?.jobsInFlight.dec();
    gpuMetrics?.pixelsInFlight.set(pixels.inUse);
  };
  // Without a listener an 'error' event would crash the process; connection errors are retried by ioredis.
  worker.on('error', (error) => log.warn('gpu worker error', errorFields(error)));
  worker.on('failed', (job, error) => {
    settled(job?.id);
    const fields = jobFields(job);
    const canceled = error.message.startsWith('canceled: ');
    metrics?.jobs.inc({ operation: fields.operation ?? 'unknown', outcome: canceled ? 'canceled' : 'failed' });
    log.warn('job failed', { ...fields, attemptsMade: job?.attemptsMade, ...errorFields(error) });
  });
  worker.on('completed', (job, result) => {
    settled(job.id);
    const fields = jobFields(job);
    const operation = fields.operation ?? 'unknown';
    metrics?.jobs.inc({ operation, outcome: 'completed' });
    metrics?.modelSeconds.observe(
      { operation, model: result.model, provider: result.executionProvider },
      result.timings.inferenceMs / 1000,
    );
    log.info('job completed', {
      ...fields,
      model: result.model,
      executionProvider: result.executionProvider,
      timings: result.timings,
    });
  });

  const workerId = `wrk_${randomBytes(8).toString('hex')}`;
  const heartbeat = publishHeartbeat({
    redis: () => worker.client,
    queuePrefix: config.queuePrefix,
    heartbeat: {
      workerId,
      model: session.model.id,
      executionProvider: session.executionProvider,
      concurrency: config.concurrency,
      hostname: hostname(),
      startedAt: new Date().toISOString(),
    },
    log,
  });

  const ready = worker.waitUntilReady().then(() => heartbeat.start());
  // A caller that never awaits `ready` must not see an unhandled rejection; one that does still gets it.
  ready.catch(() => {});

  return {
    executionProvider: session.executionProvider,
    model: session.model.id,
    workerId,
    ready,
    async close() {
      await heartbeat.stop();
      await worker.close();
      cancels.close();
    },
  };
}

/** The task, operation and submitting request of a job, for its log lines. */
function jobFields(job: { id?: string | undefined; data: unknown } | undefined) {
  const data = TaskJob.safeParse(job?.data).data;
  return { taskId: job?.id, operation: data?.request.operation, requestId: data?.requestId };
}
