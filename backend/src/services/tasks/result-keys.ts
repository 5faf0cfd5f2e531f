import { ResultVariantFormat } from '@lumina/shared';

/**
 * Storage keys of what a task leaves behind. The result is `results/<task>.<format>` (decided at submit); the
 * other encodings of it and its thumbnail are made on first request and kept beside it, so the retention job
 * can name every object of a task without listing the store.
 */
export const variantKeyOf = (taskId: string, format: ResultVariantFormat): string => `variants/${taskId}.${format}`;
export const thumbnailKeyOf = (taskId: string): string => `thumbnails/${taskId}.webp`;

/**
 * The free plan's marked copies of a team's results, made on first request and kept like the variants. They sit
 * under one folder per team, so a team that buys credits has all of them deleted with one listing.
 */
export const watermarkedPrefixOf = (teamId: string): string => `watermarked/${teamId}/`;
export const watermarkedKeyOf = (teamId: string, taskId: string, copy: ResultVariantFormat | 'thumbnail'): string =>
  `${watermarkedPrefixOf(teamId)}${taskId}.${copy === 'thumbnail' ? 'thumbnail.webp' : copy}`;

/** Every object a task may have in the store, whether or not it was made. */
export const objectKeysOf = (task: {
  id: string;
  teamId: string;
  inputKey: string;
  outputKey: string;
  backgroundKey: string | null;
}): string[] => [
  task.inputKey,
  ...(task.backgroundKey ? [task.backgroundKey] : []),
  task.outputKey,
  ...ResultVariantFormat.options.map((format) => variantKeyOf(task.id, format)),
  thumbnailKeyOf(task.id),
  ...ResultVariantFormat.options.map((format) => watermarkedKeyOf(task.teamId, task.id, format)),
  watermarkedKeyOf(task.teamId, task.id, 'thumbnail'),
];

export type ServedKey =
  | { readonly kind: 'result'; readonly taskId: string; readonly storedFormat: ResultVariantFormat }
  | { readonly kind: 'thumbnail'; readonly taskId: string };

const resultKeyPattern = /^results\/(task_[A-Za-z0-9]+)\.([a-z0-9]+)$/;
const thumbnailKeyPattern = /^thumbnails\/(task_[A-Za-z0-9]+)\.webp$/;

/** What a signed file URL may name: a task's result or its thumbnail. Inputs and variants are never named. */
export function parseServedKey(key: string): ServedKey | null {
  const result = key.match(resultKeyPattern);
  const format = ResultVariantFormat.safeParse(result?.[2]);
  if (result?.[1] && format.success) return { kind: 'result', taskId: result[1], storedFormat: format.data };
  const thumbnail = key.match(thumbnailKeyPattern);
  if (thumbnail?.[1]) return { kind: 'thumbnail', taskId: thumbnail[1] };
  return null;
}
