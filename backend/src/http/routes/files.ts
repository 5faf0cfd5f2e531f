import { ResultVariantFormat } from '@lumina/shared';
import { Hono } from 'hono';
import { ApiError } from '../../errors.ts';
import { readResultFile } from '../../services/read-result-file.ts';
import { parseServedKey } from '../../services/result-keys.ts';
import { filesPathPrefix } from '../../signed-urls.ts';
import type { AppEnv } from '../env.ts';
import { pickResultFormat } from '../pick-result-format.ts';

/**
 * Result files behind signed, expiring URLs: no bearer header needed, so plugins, `<img>` tags and a CDN can
 * fetch them. Only results and their thumbnails are served; inputs never leave the backend. `?format=` (not
 * signed: the same pixels in another encoding) or else `Accept` picks the encoding, hence `Vary: Accept`. A
 * free team's result is served with the watermark; since the same URL serves clean bytes once the team buys
 * credits, a watermarked answer must be revalidated rather than kept (`no-cache`), and a clean one may be kept
 * until the link expires.
 */
export const fileRoutes = new Hono<AppEnv>().get('/*', async (c) => {
  const ctx = c.var.ctx;
  const key = decodeURIComponent(c.req.path.slice(filesPathPrefix.length));
  const served = parseServedKey(key);
  if (!served) throw new ApiError('not_found', 'No such file.');
  const now = new Date();
  const expires = c.req.query('expires');
  if (!ctx.signedUrls.verify(key, { expires, signature: c.req.query('signature'), wm: c.req.query('wm') }, now)) {
    throw new ApiError(
      'invalid_signature',
      'The link has expired or its signature is invalid; ask the API for a fresh one.',
    );
  }
  const asked = c.req.query('format');
  const format = asked === undefined ? undefined : ResultVariantFormat.safeParse(asked);
  if (format && !format.success) {
    throw new ApiError('invalid_request', `format must be one of ${ResultVariantFormat.options.join(', ')}.`);
  }
  const file = await readResultFile({
    ctx,
    input: {
      key,
      format:
        format?.data ??
        (served.kind === 'result' ? pickResultFormat(c.req.header('accept'), served.storedFormat) : undefined),
      now,
    },
  });
  const maxAge = Math.max(0, Number(expires) - Math.floor(now.getTime() / 1000));
  return c.body(new Uint8Array(file.body), 200, {
    'Content-Type': file.contentType,
    'Content-Length': String(file.body.byteLength),
    'Cache-Control': file.watermarked ? 'private, no-cache' : `private, max-age=${maxAge}, immutable`,
    Vary: 'Accept',
    'X-Lumina-Watermark': file.watermarked ? 'free-plan' : 'none',
    'Cross-Origin-Resource-Policy': 'cross-origin',
    'X-Content-Type-Options': 'nosniff',
  });
});
