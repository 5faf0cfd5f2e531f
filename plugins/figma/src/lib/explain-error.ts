/**
 * Plain words for the API's stable codes (and the client's own), as a designer should read them: what
 * happened and what to do, never a stack or a status number.
 */
const plainWords: Record<string, string> = {
  insufficient_credits: 'Not enough credits left on this team. Buy more credits to continue.',
  upload_too_large: 'This image is too large to upload. Try a smaller export scale.',
  image_too_large: 'This image has too many pixels for Lumina. Try a smaller export scale.',
  output_too_large: 'The result would be too large. Pick a smaller scale.',
  unsupported_media_type: 'This layer could not be sent as an image Lumina reads.',
  image_corrupt: 'The image data is damaged and could not be read.',
  empty_upload: 'The layer exported as an empty image.',
  invalid_prompt: 'That instruction was not accepted. Rephrase it and try again.',
  prompt_blocked: 'The instruction was blocked by the model’s safety rules. Rephrase it.',
  edit_blocked: 'The model refused to produce this image. Try another instruction or image.',
  edit_recitation: 'The result would reproduce protected material, so it was withheld.',
  no_image_returned: 'The model answered without an image. Try rephrasing the instruction.',
  no_subject: 'No foreground subject was found to cut out.',
  operation_unavailable: 'This operation is not available on this Lumina server.',
  unauthorized: 'You are signed out. Sign in again.',
  forbidden: 'This sign-in is not allowed to do that.',
  rate_limited: 'Too many requests at once. Wait a moment and try again.',
  network_error: 'You seem to be offline, or Lumina cannot be reached. Check the connection and try again.',
  unavailable: 'Lumina is busy or down for a moment. Try again shortly.',
  model_unavailable: 'The model is overloaded right now. Try again shortly.',
  timed_out: 'Processing took too long and was stopped. You were not charged.',
  worker_lost: 'Processing was interrupted. You were not charged; try again.',
  canceled: 'Canceled.',
  aborted: 'Canceled.',
  pairing_denied: 'The sign-in request was denied in the browser.',
  pairing_expired: 'The sign-in request expired. Start again.',
  pairing_consumed: 'This sign-in request was already used. Start again.',
  'node-gone': 'The layer was deleted while it was being processed.',
  'no-input': 'This layer has nothing to export.',
  'too-large': 'Figma cannot hold an image over 4096 px on a side.',
};

export function explainError(code: string): string {
  return plainWords[code] ?? 'Something went wrong. Try again; if it keeps happening, contact support.';
}
