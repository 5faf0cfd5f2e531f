import * as z from 'zod';
import { WorkerHeartbeat } from './jobs.ts';
import { Operation } from './operations.ts';
import { TaskId } from './tasks.ts';

/**
 * `POST /api/v1/process` as JSON: the image as base64 (a `data:` URL is accepted too), or `sourceTaskId` to
 * continue from a completed task's result without sending it again, and the operation's parameters under
 * `params`. The multipart form carries the same as fields: `image` (file) or `sourceTaskId`, `operation`, and
 * one field per parameter; a removal's background image is a second file, `bg_image_file`.
 */
export const ProcessJsonBody = z
  .strictObject({
    image: z.string().min(1, 'image must be base64-encoded bytes').optional(),
    sourceTaskId: TaskId.optional(),
    /** remove-background: an image, base64 like `image`, scaled to cover the result and put behind the subject. */
    bg_image_file: z.string().min(1, 'bg_image_file must be base64-encoded bytes').optional(),
    operation: Operation,
    params: z.record(z.string(), z.unknown()).default({}),
  })
  .refine((body) => (body.image === undefined) !== (body.sourceTaskId === undefined), {
    path: ['image'],
    message: 'send either `image` or `sourceTaskId`, exactly one of them',
  });
export type ProcessJsonBody = z.infer<typeof ProcessJsonBody>;

/** `Prefer: wait=N` (RFC 7240): answer with the finished task if it completes within N seconds. */
export const parsePreferWait = (header: string | undefined): number | null => {
  const match = header?.match(/(?:^|[\s,;])wait\s*=\s*(\d{1,4})(?:$|[\s,;])/i);
  return match?.[1] ? Number(match[1]) : null;
};

export const HealthResponse = z.strictObject({
  status: z.enum(['ok', 'degraded']),
  checks: z.record(z.string(), z.strictObject({ ok: z.boolean(), detail: z.string().optional() })).optional(),
  /** `/readyz`: the gpu-workers with a live heartbeat. None does not make the API unready: tasks wait in the queue. */
  workers: z.array(WorkerHeartbeat).optional(),
});
export type HealthResponse = z.infer<typeof HealthResponse>;
