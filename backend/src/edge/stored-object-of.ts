import { ResultVariantFormat } from '@lumina/shared';
import { pickResultFormat } from '../http/pick-result-format.ts';

/** An object of the shared bucket the edge may answer with, and the encoding it holds. */
export interface StoredObject {
  readonly key: string;
  readonly format: ResultVariantFormat;
}

// The origin's key scheme (backend/src/services/tasks/result-keys.ts, which the edge may not import); the edge
// worker test puts objects under the origin's own key functions, so a drift fails there.
const resultKeyPattern = /^results\/(task_[A-Za-z0-9]+)\.([a-z0-9]+)$/;
const thumbnailKeyPattern = /^thumbnails\/task_[A-Za-z0-9]+\.webp$/;

/**
 * The object the origin would answer a clean link with, picked as the origin picks it: the thumbnail, or the
 * result in the encoding `?format=` names, else the best one `Accept` names (pick-result-format.ts), which is
 * the stored result or a variant the origin made and kept beside it. Undefined when the edge cannot tell
 * (an unknown key or format): the origin then answers.
 */
export function storedObjectOf(
  key: string,
  formatQuery: string | undefined,
  accept: string | undefined,
): StoredObject | undefined {
  if (thumbnailKeyPattern.test(key)) return { key, format: 'webp' };
  const result = key.match(resultKeyPattern);
  const stored = ResultVariantFormat.safeParse(result?.[2]);
  if (!result?.[1] || !stored.success) return undefined;
  const asked = formatQuery === undefined ? undefined : ResultVariantFormat.safeParse(formatQuery);
  if (asked && !asked.success) return undefined;
  const format = asked?.data ?? pickResultFormat(accept, stored.data);
  return { key: format === stored.data ? key : `variants/${result[1]}.${format}`, format };
}
