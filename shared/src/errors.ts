import * as z from 'zod';

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
  'body_too_large',
  'unsupported_media_type',
  'image_corrupt',
  'image_too_large',
  'output_too_large',
  'insufficient_credits',
  'idempotency_key_reused',
  'task_not_cancelable',
  'rate_limited',
  'invalid_credentials',
  'forbidden',
  'csrf_rejected',
  'email_taken',
  'already_member',
  'last_owner',
  'invite_unusable',
  'pairing_pending',
  'pairing_slow_down',
  'pairing_expired',
  'pairing_denied',
  'pairing_consumed',
  'invalid_prompt',
  'operation_unavailable',
  'unknown_foreground',
  'processing_failed',
  'processing_timeout',
  'billing_unavailable',
  'invalid_webhook_signature',
  'spending_cap_reached',
  'google_sign_in_failed',
  'result_expired',
  'source_not_completed',
  'webhook_url_refused',
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
  // A request body other than an upload passed MAX_BODY_BYTES; nothing of it was read further.
  body_too_large: 413,
  unsupported_media_type: 415,
  image_corrupt: 422,
  image_too_large: 422,
  output_too_large: 422,
  insufficient_credits: 402,
  idempotency_key_reused: 409,
  task_not_cancelable: 409,
  // Too many requests (or units) in the policy's window; `Retry-After` says when this one would fit.
  rate_limited: 429,
  // Wrong password and unknown e-mail answer alike, so sign-in does not reveal who has an account.
  invalid_credentials: 401,
  // Signed in, but the role (or an API key instead of a person) does not allow this.
  forbidden: 403,
  // A cookie-authenticated change from another origin (Origin / Sec-Fetch-Site do not match PUBLIC_BASE_URL).
  csrf_rejected: 403,
  email_taken: 409,
  already_member: 409,
  // A team always keeps at least one owner.
  last_owner: 409,
  // The invite expired, was already accepted, or is for another e-mail address.
  invite_unusable: 410,
  // Plugin pairing poll states, as RFC 8628's authorization_pending / slow_down / expired_token / access_denied.
  pairing_pending: 400,
  pairing_slow_down: 429,
  pairing_expired: 410,
  pairing_denied: 403,
  // The token was already handed out once: a second poll never gets another.
  pairing_consumed: 410,
  invalid_prompt: 400,
  // Not configured on this deployment (magic-edit without a Gemini key): retrying will not help.
  operation_unavailable: 501,
  // Synchronous endpoints (`/v1.0/removebg`): the task's own failure, answered at once. remove.bg's name for
  // an image without a subject.
  unknown_foreground: 400,
  processing_failed: 500,
  // The result did not come within the synchronous wait; the task was canceled and nothing charged.
  processing_timeout: 504,
  // No Stripe keys on this deployment: packs cannot be bought; credits come from the admin CLI.
  billing_unavailable: 501,
  // A Stripe webhook whose `Stripe-Signature` is missing, wrong or too old: nothing was granted.
  invalid_webhook_signature: 400,
  // The member's monthly spending cap (set by an owner or admin) would be passed; nothing was stored or charged.
  spending_cap_reached: 402,
  // Google sign-in did not complete: a stale or forged callback, a refused code, or an unverified e-mail address.
  google_sign_in_failed: 400,
  // A signed result link whose task passed its retention time: the result, its variants and its input are gone.
  result_expired: 410,
  // `sourceTaskId` names a task that is still running, failed or was canceled: it has no result to continue from.
  source_not_completed: 409,
  // A webhook URL that is not http(s), carries credentials, or points at a loopback or private address (SSRF).
  webhook_url_refused: 400,
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
  // Magic edit: the model refused the instruction itself (`promptFeedback.blockReason`).
  'prompt_blocked',
  // Magic edit: the model refused to produce the image (safety, prohibited content, blocklist, personal data).
  'edit_blocked',
  // Magic edit: the image would reproduce protected material (`RECITATION`, `IMAGE_RECITATION`).
  'edit_recitation',
  // Magic edit: the model answered without an image (`NO_IMAGE`, or text only).
  'no_image_returned',
  // Magic edit: the model rejected the request as invalid (HTTP 400).
  'model_rejected',
  // Magic edit: the model stayed overloaded or rate-limited through every retry (HTTP 429, 5xx).
  'model_unavailable',
  'storage_failed',
  'timed_out',
  'worker_lost',
  'canceled',
  'internal_error',
]);
export type TaskErrorCode = z.infer<typeof TaskErrorCode>;
