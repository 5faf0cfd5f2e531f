import type { ResultVariantFormat } from '@lumina/shared';

/** The image types an `Accept` header names with a weight above zero (wildcards do not count). */
function acceptedImageTypes(accept: string | undefined): Set<string> {
  const accepted = new Set<string>();
  for (const range of (accept ?? '').split(',')) {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const q = params.find((param) => param.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) accepted.add(type);
  }
  return accepted;
}

/**
 * The encoding a result is served in when the URL names none: AVIF, then WebP, when the client names them in
 * `Accept` (browsers do for images); otherwise the stored format. `*\/*` keeps the stored format, so API clients
 * and plugins get what they asked for at submit.
 */
export function pickResultFormat(accept: string | undefined, stored: ResultVariantFormat): ResultVariantFormat {
  const accepted = acceptedImageTypes(accept);
  if (accepted.has('image/avif')) return 'avif';
  if (accepted.has('image/webp')) return 'webp';
  return stored;
}
