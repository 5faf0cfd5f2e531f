import { z } from 'zod';

/**
 * The closed list of error codes the API answers with. Clients switch on `code`, never on `message`.
 * Each code maps to exactly one HTTP status in `httpStatusOf`.
 */
export const ErrorCode = z.enum([
  'invalid_request',
  'unauthorized',
  'invalid_signature',
  'not_found',
  'empty_upload',
  'upload_too_large',
  'unsupported_media_type',
  'image_corrupt',
  'image_too_large',
  'output_too_large',
  'insufficient_credits',
  'idempotency_key_reused',
  'task_not_cancelable',
  'unavailable',
  'internal_error',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const httpStatusOf = {
  invalid_request: 400,
  unauthorized: 401,
  invalid_signature: 403,
  not_found: 404,
  empty_upload: 400,
  upload_too_large: 413,
  unsupported_media_type: 415,
  image_corrupt: 422,
  image_too_large: 422,
  output_too_large: 422,
  insufficient_credits: 402,
  idempotency_key_reused: 409,
  task_not_cancelable: 409,
  unavailable: 503,
  internal_error: 500,
} as const satisfies Record<ErrorCode, number>;

/** The one error body every non-2xx JSON answer has. */
export const ErrorBody = z.strictObject({
  error: z.strictObject({
    code: ErrorCode,
    message: z.string(),
    requestId: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/**
 * Why a task failed, once accepted. Failed tasks are never charged, so these are not HTTP errors: they are
 * reported in the task's `error` field.
 */
export const TaskErrorCode = z.enum([
  'input_unreadable',
  // The model found no foreground to cut out (remove.bg answers `unknown_foreground` for the same case).
  'no_subject',
  'model_failed',
  'storage_failed',
  'timed_out',
  'worker_lost',
  'canceled',
  'internal_error',
]);
export type TaskErrorCode = z.infer<typeof TaskErrorCode>;
