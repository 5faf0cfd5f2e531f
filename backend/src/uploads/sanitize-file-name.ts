import { taskFileNameMaxLength } from '@lumina/shared';

/**
 * An uploaded file's name as it is kept for the history: the last path segment only, Unicode-normalised,
 * without control or bidirectional-override characters, whitespace collapsed, at most 200 characters (UTF-16
 * units, never a split surrogate pair). Null when nothing readable is left. The dashboard escapes it on output;
 * this only keeps it short and free of characters that would make it lie about itself.
 */
export function sanitizeFileName(raw: string | undefined | null): string | null {
  if (!raw) return null;
  const base = raw.split(/[\\/]/).at(-1) ?? '';
  const cleaned = base
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .replace(/\s+/gu, ' ')
    .trim();
  if (cleaned === '' || cleaned === '.' || cleaned === '..') return null;
  // UTF-16 units, as the view's schema counts them, without leaving half a surrogate pair at the cut.
  return cleaned.slice(0, taskFileNameMaxLength).replace(/[\uD800-\uDBFF]$/, '');
}
