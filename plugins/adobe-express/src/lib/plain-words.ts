/**
 * What to tell a person, by stable code: API error codes, task error codes, the client's own codes and the
 * add-on's refusals. Codes not listed fall back to the server's message, which is written for people too.
 */
const words: Readonly<Record<string, string>> = {
  // Reaching Lumina
  network_error: 'Lumina could not be reached. Check your connection and try again.',
  invalid_response: 'Lumina answered something unexpected. Try again in a moment.',
  unavailable: 'Lumina is busy or down for a moment. Try again shortly.',
  internal_error: 'Something went wrong on Lumina’s side. Try again; you were not charged.',
  rate_limited: 'Too many requests at once. Wait a few seconds and try again.',
  // Signing in
  unauthorized: 'You are signed out. Sign in again to continue.',
  forbidden: 'This account cannot do that here.',
  pairing_expired: 'The sign-in request expired. Start again.',
  pairing_denied: 'Sign-in was declined in the browser.',
  pairing_consumed: 'This sign-in was already used. Start again.',
  // Credits
  insufficient_credits: 'Your team is out of credits. Buy more to continue; nothing was charged.',
  spending_cap_reached: 'You reached the monthly spending limit your team set for you.',
  // The image
  empty_upload: 'The image was empty.',
  upload_too_large: 'The image is too large to send (25 MB at most).',
  unsupported_media_type: 'That file is not an image Lumina can read (PNG, JPEG, WebP, AVIF, TIFF or GIF).',
  image_corrupt: 'The image could not be read; it may be damaged.',
  image_too_large: 'The image has too many pixels for Lumina.',
  output_too_large: 'The result would be too large. Try a smaller scale or a smaller image.',
  input_unreadable: 'The image could not be read; it may be damaged.',
  no_subject: 'No subject was found to cut out, so nothing was charged.',
  invalid_prompt: 'Describe the edit in a few words (up to 2,000 characters).',
  operation_unavailable: 'This operation is not available on this Lumina server.',
  // Processing
  model_failed: 'The model could not process this image. You were not charged.',
  prompt_blocked: 'The edit instruction was refused by the model’s safety rules. Try other words.',
  edit_blocked: 'The model refused to make this edit. Try another instruction.',
  edit_recitation: 'The result would copy protected material, so the model refused it.',
  no_image_returned: 'The model answered without an image. Try rephrasing the instruction.',
  model_rejected: 'The model could not use this image. Try another one.',
  model_unavailable: 'The model is busy. Try again in a minute; you were not charged.',
  storage_failed: 'The result could not be saved. Try again; you were not charged.',
  timed_out: 'This took too long and was stopped. You were not charged.',
  worker_lost: 'Processing was interrupted. Try again; you were not charged.',
  canceled: 'Canceled. You were not charged.',
  // The add-on's own refusals and Express limits
  export_not_allowed: 'This document is waiting for review approval, so nothing can be exported from it yet.',
  premium_content:
    'This contains premium content your Adobe Express plan cannot export. Upgrade, or remove the premium elements.',
  nothing_to_send: 'Select an element on the page, or drop an image here.',
  not_replaceable: 'Only an image can be replaced in place; the result was added beside it.',
  node_gone: 'The element was deleted while Lumina worked; the result was added to the page instead.',
  too_large_to_import: 'The result is larger than Adobe Express can import (8192 px a side).',
  rendition_failed: 'Adobe Express could not render the page to read the selection.',
};

export function plainWords(code: string, fallback?: string): string {
  return words[code] ?? fallback ?? 'Something went wrong. Try again.';
}
