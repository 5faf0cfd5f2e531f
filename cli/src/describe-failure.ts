import type { Failure } from './run-batch.ts';

/**
 * Plain words for the codes a person running a batch meets most; the stable code follows in brackets so it can
 * be searched for. Codes not listed here keep the server's own message, which is written for people too.
 */
const plainWords: Record<string, string> = {
  unsupported_media_type: 'This is not an image Lumina can read (PNG, JPEG, WebP, AVIF, HEIF, TIFF or GIF).',
  image_corrupt: 'The image is damaged or cut short.',
  empty_upload: 'The file is empty.',
  image_too_large: 'The image has more pixels than Lumina accepts.',
  output_too_large: 'The result would be larger than Lumina makes: try a smaller --scale.',
  insufficient_credits: 'Not enough credits left in the team’s pool: buy a pack on the dashboard or ask an admin.',
  spending_cap_reached: 'This would pass your monthly spending cap: ask a team owner or admin.',
  unauthorized: 'The API key was refused: check --api-key or LUMINA_API_KEY.',
  forbidden: 'This API key may not do that.',
  rate_limited: 'Too many requests, even after waiting: try again in a minute or lower --concurrency.',
  invalid_prompt: 'The prompt was refused: say what to change, in at most 2000 characters.',
  no_subject: 'No subject was found to cut out.',
  input_unreadable: 'The image could not be decoded.',
  prompt_blocked: 'The model refused the instruction.',
  edit_blocked: 'The model refused to make this image.',
  timed_out: 'The task took too long and was stopped (nothing charged).',
  worker_lost: 'The worker processing it went away (nothing charged): run the command again.',
  canceled: 'The task was canceled (nothing charged).',
};

export const describeFailure = (failure: Failure): string =>
  `${plainWords[failure.code] ?? failure.message} (${failure.code})`;
