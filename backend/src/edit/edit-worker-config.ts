import { resolve } from 'node:path';
import { parseEnv, portEnv, positiveIntEnv, queueEnv, storageConfigOf, storageEnv } from '@lumina/runtime';
import { z } from 'zod';

/**
 * The edit worker's environment: the queue, the object store and Gemini, nothing of the API's. Its transform is
 * the typed config.
 */
export const EditWorkerEnv = z
  .object({
    ...queueEnv,
    ...storageEnv,
    /** The edit worker has nothing to do without it; the API lists magic-edit as unavailable then. */
    GEMINI_API_KEY: z.string({ error: 'must be set: without it there is nothing for the edit worker to do' }).min(1),
    /** The Generative Language API's address; unset means the SDK's default (Google's). */
    GEMINI_BASE_URL: z.url().optional(),
    GEMINI_MODEL: z.string().min(1).default('gemini-2.5-flash-image'),
    /** Edits started per minute across all edit workers (BullMQ's queue-wide limiter), to stay under the quota. */
    GEMINI_EDITS_PER_MINUTE: positiveIntEnv.default(60),
    /** Requests per edit, retries of 429 and 5xx included. */
    GEMINI_MAX_ATTEMPTS: positiveIntEnv.default(3),
    /** First backoff between retries, doubled each time, unless the answer says when to retry. */
    GEMINI_RETRY_BASE_MS: positiveIntEnv.default(2000),
    /** The longest wait between retries that the worker accepts, `Retry-After` included. */
    GEMINI_RETRY_MAX_MS: positiveIntEnv.default(60_000),
    GEMINI_TIMEOUT_MS: positiveIntEnv.default(120_000),
    EDIT_CONCURRENCY: positiveIntEnv.default(4),
    /** How long an edit worker's hold on a job lasts without renewal: a dead worker's edit restarts after this. */
    EDIT_LOCK_DURATION_MS: positiveIntEnv.default(30_000),
    EDIT_STALLED_INTERVAL_MS: positiveIntEnv.default(30_000),
    /** The edit worker's `/metrics` port (0: not served); a port already taken is logged and skipped. */
    EDIT_METRICS_PORT: portEnv.default(9465),
    /** The address `/metrics` listens on. */
    HOST: z.string().min(1).default('127.0.0.1'),
    /** When set, the worker's `/metrics` asks for it as a bearer token, as the API's does. */
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  })
  .transform((e) => ({
    redisUrl: e.REDIS_URL,
    queuePrefix: e.LUMINA_QUEUE_PREFIX,
    storage: storageConfigOf(e, resolve(e.LUMINA_DATA_DIR)),
    gemini: {
      apiKey: e.GEMINI_API_KEY,
      baseUrl: e.GEMINI_BASE_URL,
      model: e.GEMINI_MODEL,
      editsPerMinute: e.GEMINI_EDITS_PER_MINUTE,
      maxAttempts: e.GEMINI_MAX_ATTEMPTS,
      retryBaseMs: e.GEMINI_RETRY_BASE_MS,
      retryMaxMs: e.GEMINI_RETRY_MAX_MS,
      timeoutMs: e.GEMINI_TIMEOUT_MS,
      concurrency: e.EDIT_CONCURRENCY,
      lockDurationMs: e.EDIT_LOCK_DURATION_MS,
      stalledIntervalMs: e.EDIT_STALLED_INTERVAL_MS,
    },
    metrics: { port: e.EDIT_METRICS_PORT, host: e.HOST, token: e.METRICS_TOKEN },
  }));
export type EditWorkerConfig = z.output<typeof EditWorkerEnv>;

/** Parses the edit worker's environment once, at start (empty variables are unset, as in every process). */
export const loadEditWorkerConfig = (env: Record<string, string | undefined>): EditWorkerConfig =>
  parseEnv(EditWorkerEnv, env, 'edit worker');
