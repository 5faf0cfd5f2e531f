/** The add-on's own failure codes: Express's rules on what may leave a document, and placing results. */
export type ExpressFailureCode =
  | 'export_not_allowed'
  | 'premium_content'
  | 'nothing_to_send'
  | 'rendition_failed'
  | 'too_large_to_import'
  | 'node_gone'
  | 'not_replaceable'
  | 'not_insertable'
  | 'not_placed'
  | 'invalid_arguments';

/**
 * Plain words for them, passed to the core's `explainError` as the host's words. A `Record` over the closed list,
 * so a new code does not compile until it is worded.
 */
export const expressWords: Record<ExpressFailureCode, string> = {
  export_not_allowed: 'This document is waiting for review approval, so nothing can be exported from it yet.',
  premium_content:
    'This contains premium content your Adobe Express plan cannot export. Upgrade, or remove the premium elements.',
  nothing_to_send: 'Select an element on the page, or drop an image here.',
  rendition_failed: 'Adobe Express could not render the page to read the selection. Try again.',
  too_large_to_import: 'The result is larger than Adobe Express can import (8192 px a side).',
  node_gone: 'The original is no longer on this page.',
  not_replaceable: 'Only an image can be replaced in place.',
  not_insertable: 'The result could not be added to this page.',
  not_placed: 'Adobe Express did not take the result.',
  invalid_arguments: 'Adobe Express did not take the result.',
};
