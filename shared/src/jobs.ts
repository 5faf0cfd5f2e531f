import { z } from 'zod';
import { TaskErrorCode } from './errors.ts';
import { OperationRequest } from './operations.ts';
import { ResultInfo, TaskId } from './tasks.ts';

/** BullMQ queue names. The job id is always the task id, so a re-enqueue of the same task is a no-op. */
export const queueNames = { gpu: 'lumina-gpu' } as const;

/** Payload of a job on the gpu queue. Storage keys are decided by the backend so a retry overwrites. */
export const GpuJob = z.strictObject({
  taskId: TaskId,
  request: OperationRequest,
  inputKey: z.string().min(1),
  outputKey: z.string().min(1),
});
export type GpuJob = z.infer<typeof GpuJob>;

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
