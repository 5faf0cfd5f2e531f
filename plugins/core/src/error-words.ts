import type { Capabilities, ClientErrorCode, ErrorCode, TaskErrorCode } from '@lumina/shared';

/** The limits the words quote, as `GET /api/v1/capabilities` reports them; null before they are known. */
export type WordedLimits = Pick<Capabilities['limits'], 'maxUploadBytes' | 'maxOutputSidePx'> | null;

const megabytes = (bytes: number) => `${Math.floor(bytes / (1024 * 1024))} MB`;

/**
 * Plain words for every code the API answers with, as a designer should read them: what happened and what to
 * do. A `Record` over the closed list, so a new code does not compile until it is worded here.
 */
export function apiErrorWords(limits: WordedLimits): Record<ErrorCode, string> {
  return {
    invalid_request: 'Lumina could not use these options. Reset them and try again.',
    unauthorized: 'You are signed out. Sign in again.',
    invalid_signature: 'This link is not valid any more. Run the operation again.',
    not_found: 'Lumina no longer has this result. Run the operation again.',
    empty_upload: 'The layer exported as an empty image.',
    upload_too_large: limits
      ? `This image is larger than ${megabytes(limits.maxUploadBytes)}. Try a smaller export scale or a smaller image.`
      : 'This image is too large to upload. Try a smaller export scale or a smaller image.',
    source_not_completed: 'The result to continue from is not finished yet. Wait for it, then try again.',
    body_too_large: 'The request was too large for Lumina. Shorten the instruction or the options and try again.',
    unsupported_media_type: 'This layer could not be sent as an image Lumina reads.',
    image_corrupt: 'The image data is damaged and could not be read.',
    image_too_large: 'This image has too many pixels for Lumina. Try a smaller export scale.',
    output_too_large: limits
      ? `The result would be over ${limits.maxOutputSidePx} px on a side. Pick 2× or a smaller image.`
      : 'The result would be too large. Pick 2× or a smaller image.',
    insufficient_credits: 'Not enough credits left on this team. Buy more credits to continue.',
    idempotency_key_reused: 'This request was already sent with other options. Try again.',
    task_not_cancelable: 'It finished before it could be canceled.',
    rate_limited: 'Too many requests at once. Wait a moment and try again.',
    invalid_credentials: 'That sign-in was not accepted. Sign in again.',
    forbidden: 'This sign-in is not allowed to do that. Ask a team owner.',
    csrf_rejected: 'The request was refused for safety. Reload the panel and try again.',
    email_taken: 'An account with this e-mail address already exists.',
    already_member: 'This person is already on the team.',
    last_owner: 'A team always keeps at least one owner.',
    invite_unusable: 'This invitation can no longer be used.',
    pairing_pending: 'Waiting for you to approve the sign-in in the browser.',
    pairing_slow_down: 'Waiting for you to approve the sign-in in the browser.',
    pairing_expired: 'The sign-in request expired. Start again.',
    pairing_denied: 'The sign-in request was denied in the browser.',
    pairing_consumed: 'This sign-in request was already used. Start again.',
    invalid_prompt: 'That instruction was not accepted. Rephrase it and try again.',
    operation_unavailable: 'This operation is not available on this Lumina server.',
    unknown_foreground: 'No subject was found to cut out.',
    processing_failed: 'Processing failed. You were not charged; try again.',
    processing_timeout: 'Processing took too long and was stopped. You were not charged.',
    billing_unavailable: 'Credits cannot be bought on this Lumina server. Ask your admin for credits.',
    invalid_webhook_signature: 'The payment notice was not accepted.',
    spending_cap_reached: 'You reached the monthly spending cap your team set. Ask a team owner to raise it.',
    google_sign_in_failed: 'Google sign-in did not complete. Try again.',
    result_expired: 'This result is no longer kept. Run the operation again.',
    webhook_url_refused: 'That webhook address is not allowed.',
    unavailable: 'Lumina is busy or down for a moment. Try again shortly.',
    internal_error: 'Something went wrong on Lumina’s side. Try again; if it keeps happening, contact support.',
  };
}

/** Plain words for why an accepted task failed; failed tasks are never charged, and the words say so. */
export const taskErrorWords: Record<TaskErrorCode, string> = {
  input_unreadable: 'The image could not be read. You were not charged.',
  no_subject: 'No subject was found to cut out. You were not charged.',
  model_failed: 'The model failed on this image. You were not charged; try again.',
  prompt_blocked: 'The instruction was blocked by the model’s safety rules. Rephrase it.',
  edit_blocked: 'The model refused to produce this image. Try another instruction or image.',
  edit_recitation: 'The result would reproduce protected material, so it was withheld.',
  no_image_returned: 'The model answered without an image. Try rephrasing the instruction.',
  model_rejected: 'The model did not accept this request. Try another instruction.',
  model_unavailable: 'The model is overloaded right now. You were not charged; try again shortly.',
  storage_failed: 'The result could not be saved. You were not charged; try again.',
  timed_out: 'Processing took too long and was stopped. You were not charged.',
  worker_lost: 'Processing was interrupted. You were not charged; try again.',
  canceled: 'Canceled. You were not charged.',
  internal_error: 'Something went wrong on Lumina’s side. You were not charged; try again.',
};

/** Plain words for what never reached an answer. */
export const clientErrorWords: Record<ClientErrorCode, string> = {
  network_error: 'You seem to be offline, or Lumina cannot be reached. Check the connection and try again.',
  aborted: 'Canceled.',
  invalid_response: 'Lumina answered in a way this plugin does not understand. Update the plugin and try again.',
};

/** What is said when nothing more precise is known. */
export const genericErrorWords = 'Something went wrong. Try again; if it keeps happening, contact support.';
