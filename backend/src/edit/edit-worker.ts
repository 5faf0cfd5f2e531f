import { errorFields, type Logger, type ObjectStore, redisConnection, type WorkerMetrics } from '@lumina/runtime';
import { type EditJobResult, queueNames, TaskJob } from '@lumina/shared';
import { Worker } from 'bullmq';
import { createEditProcessor } from './edit-processor.ts';
import type { EditWorkerConfig } from './edit-worker-config.ts';
import { createGeminiEditor } from './gemini-editor.ts';

export interface EditWorker {
  /** Settles once the worker is connected to Redis and listening for jobs. */
  readonly ready: Promise<void>;
  /** Stops taking jobs and waits for the active ones to finish. */
  close(): Promise<void>;
}

/**
 * Consumes the edit queue: magic edits sent to Gemini. BullMQ's queue-wide limiter keeps every edit worker
 * together under `GEMINI_EDITS_PER_MINUTE`, so a burst of edits waits in the queue instead of meeting 429s.
 */
export function startEditWorker({
  config,
  store,
  log,
  metrics,
}: {
  config: Pick<EditWorkerConfig, 'redisUrl' | 'queuePrefix' | 'gemini'>;
  store: ObjectStore;
  log: Logger;
  /** Counts edits and observes the Gemini time; the caller serves them (`edit-worker-main.ts`). */
  metrics?: WorkerMetrics;
}): EditWorker {
  const { gemini } = config;
  const editor = createGeminiEditor({
    apiKey: gemini.apiKey,
    baseUrl: gemini.baseUrl,
    model: gemini.model,
    timeoutMs: gemini.timeoutMs,
  });
  const worker = new Worker<unknown, EditJobResult>(
    queueNames.edit,
    createEditProcessor({
      store,
      editor,
      model: gemini.model,
      retry: { maxAttempts: gemini.maxAttempts, retryBaseMs: gemini.retryBaseMs, retryMaxMs: gemini.retryMaxMs },
      log,
    }),
    {
      connection: redisConnection(config.redisUrl, 'consumer'),
      prefix: config.queuePrefix,
      concurrency: gemini.concurrency,
      lockDuration: gemini.lockDurationMs,
      stalledInterval: gemini.stalledIntervalMs,
      limiter: { max: gemini.editsPerMinute, duration: 60_000 },
    },
  );
  worker.on('failed', (job, error) => {
    metrics?.jobs.inc({ operation: 'magic-edit', outcome: 'failed' });
    log.warn('edit failed', { ...jobFields(job), attemptsMade: job?.attemptsMade, error: error.message });
  });
  worker.on('completed', (job, result) => {
    metrics?.jobs.inc({ operation: 'magic-edit', outcome: 'completed' });
    metrics?.modelSeconds.observe(
      { operation: 'magic-edit', model: result.model, provider: 'remote' },
      result.timings.modelMs / 1000,
    );
    log.info('edit completed', { ...jobFields(job), attempts: result.attempts, timings: result.timings });
  });
  worker.on('error', (error) => log.error('edit worker error', errorFields(error)));
  return {
    ready: worker.waitUntilReady().then(() => undefined),
    close: () => worker.close(),
  };
}

/** The task and submitting request of a job, for its log lines. */
function jobFields(job: { id?: string | undefined; data: unknown } | undefined) {
  return { taskId: job?.id, requestId: TaskJob.safeParse(job?.data).data?.requestId };
}
