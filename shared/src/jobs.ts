import * as z from 'zod';
import { TaskErrorCode } from './errors.ts';
import { type Operation, OperationRequest } from './operations.ts';
import { ResultInfo, TaskId } from './tasks.ts';

/**
 * BullMQ queue names: `gpu` for the models the gpu-worker runs, `edit` for magic edits, which the edit worker
 * sends to Gemini. The job id is always the task id, so a re-enqueue of the same task is a no-op. `webhooks`
 * carries outgoing webhook attempts (one job per attempt), consumed by every backend process.
 */
export const queueNames = { gpu: 'lumina-gpu', edit: 'lumina-edit', webhooks: 'lumina-webhooks' } as const;
/** The queues that carry tasks. */
export type QueueName = Exclude<keyof typeof queueNames, 'webhooks'>;

/** Which queue carries an operation's jobs (a task row's operation is plain text, hence the wider type). */
export const queueOf = (operation: Operation | (string & {})): QueueName =>
  operation === 'magic-edit' ? 'edit' : 'gpu';

/** Payload of a job on either queue. Storage keys are decided by the backend so a retry overwrites. */
export const TaskJob = z.strictObject({
  taskId: TaskId,
  request: OperationRequest,
  inputKey: z.string().min(1),
  outputKey: z.string().min(1),
  /** remove-background only: the background image (`bg_image_file`) to composite behind the subject. */
  backgroundKey: z.string().min(1).optional(),
  /** The API request that submitted the task, so a worker's log lines can be joined to the API's. */
  requestId: z.string().max(100).optional(),
});
export type TaskJob = z.infer<typeof TaskJob>;

/** One attempt at delivering a webhook message; the job id is `<deliveryId>-<attempt>`, so a re-add is a no-op. */
export const WebhookAttemptJob = z.strictObject({
  deliveryId: z.string().startsWith('msg_'),
  attempt: z.number().int().positive(),
});
export type WebhookAttemptJob = z.infer<typeof WebhookAttemptJob>;

/** Where one job's worker time went, in milliseconds. */
export const StageTimings = z.strictObject({
  decodeMs: z.number().nonnegative(),
  preprocessMs: z.number().nonnegative(),
  inferenceMs: z.number().nonnegative(),
  postprocessMs: z.number().nonnegative(),
  encodeMs: z.number().nonnegative(),
  totalMs: z.number().nonnegative(),
});
export type StageTimings = z.infer<typeof StageTimings>;

/** The return value of a completed gpu job. */
export const GpuJobResult = z.strictObject({
  outputKey: z.string().min(1),
  result: ResultInfo,
  model: z.string(),
  executionProvider: z.enum(['cpu', 'cuda']),
  timings: StageTimings,
});
export type GpuJobResult = z.infer<typeof GpuJobResult>;

/** Where one magic edit's time went, in milliseconds; `modelMs` includes the waits between retries. */
export const EditTimings = z.strictObject({
  prepareMs: z.number().nonnegative(),
  modelMs: z.number().nonnegative(),
  finishMs: z.number().nonnegative(),
  totalMs: z.number().nonnegative(),
});
export type EditTimings = z.infer<typeof EditTimings>;

/** The return value of a completed edit job. */
export const EditJobResult = z.strictObject({
  outputKey: z.string().min(1),
  result: ResultInfo,
  model: z.string(),
  /** Requests sent to the model, retries included. */
  attempts: z.number().int().positive(),
  timings: EditTimings,
});
export type EditJobResult = z.infer<typeof EditJobResult>;

/** The return value of any completed job, as stored on the task. */
export const JobResult = z.union([GpuJobResult, EditJobResult]);
export type JobResult = z.infer<typeof JobResult>;

/**
 * What a running gpu-worker says about itself in Redis, under `workerHeartbeatKey`, with a TTL it keeps
 * refreshing: the backend reads these for `/readyz`, since only the workers know which provider runs the model.
 */
export const WorkerHeartbeat = z.strictObject({
  workerId: z.string().min(1),
  model: z.string(),
  executionProvider: z.enum(['cpu', 'cuda']),
  concurrency: z.number().int().positive(),
  hostname: z.string(),
  startedAt: z.iso.datetime(),
});
export type WorkerHeartbeat = z.infer<typeof WorkerHeartbeat>;

/** The Redis key of one worker's heartbeat; `workerHeartbeatKey(prefix, '*')` matches them all. */
export const workerHeartbeatKey = (queuePrefix: string, workerId: string): string =>
  `${queuePrefix}:lumina:workers:${workerId}`;

/**
 * A cancel request for a task whose job a worker holds: the backend sets this key (with a TTL); the worker holding
 * the job sees it within a fraction of a second, aborts the job and fails it as `canceled`.
 */
export const cancelRequestKey = (queuePrefix: string, taskId: string): string =>
  `${queuePrefix}:lumina:cancel:${taskId}`;

/**
 * A failure the worker reports as the job's failedReason: `code: message`. The backend parses it back with
 * `parseFailedReason`; anything else maps to `internal_error`.
 */
export const formatFailedReason = (code: TaskErrorCode, message: string): string => `${code}: ${message}`;
export const parseFailedReason = (reason: string): { code: TaskErrorCode; message: string } => {
  const colon = reason.indexOf(': ');
  const parsed = TaskErrorCode.safeParse(colon > 0 ? reason.slice(0, colon) : '');
  return parsed.success
    ? { code: parsed.data, message: reason.slice(colon + 2) }
    : { code: 'internal_error', message: reason };
};
