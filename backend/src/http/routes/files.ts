import { ResultVariantFormat } from '@lumina/shared';
import { Hono } from 'hono';
import { ApiError } from '../../errors.ts';
import { fileKeyOfPath } from '../../lib/file-link.ts';
import { readResultFile } from '../../services/read-result-file.ts';
import { parseServedKey } from '../../services/result-keys.ts';
import type { AppEnv } from '../env.ts';
import { pickResultFormat } from '../pick-result-format.ts';
import { clientIp, rateLimit } from '../rate-limit.ts';

/**
 * Result files behind signed, expiring URLs: no bearer header needed, so plugins, `<img>` tags and a CDN can
 * fetch them. Only results and their thumbnails are served; inputs never leave the backend. `?format=` (not
 * signed: the same pixels in another encoding) or else `Accept` picks the encoding, hence `Vary: Accept`. A
 * free team's result is served with the watermark; since the same URL serves clean bytes once the team buys
 * credits, a watermarked answer must be revalidated rather than kept (`no-cache`), and a clean one may be kept
 * until the link expires. Links need no credentials, so requests are limited per client IP.
 */
export const fileRoutes = new Hono<AppEnv>().get(
  '/*',
  rateLimit({ name: 'files', limit: (config) => config.rateLimits.filesPerMinute, windowSeconds: 60, key: clientIp }),
  async (c) => {
    const ctx = c.var.ctx;
    // Malformed escapes (`%E0%A4%A`) name no file, like any other key that is not a result's.
    const key = fileKeyOfPath(c.req.path);
    const served = key === undefined ? null : parseServedKey(key);
    if (key === undefined || !served) throw new ApiError('not_found', 'No such file.');
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
    // A view of the same memory, not a copy: a large result would otherwise be held twice per request.
    const { buffer, byteOffset, byteLength } = file.body;
    const body =
      buffer instanceof ArrayBuffer ? new Uint8Array(buffer, byteOffset, byteLength) : new Uint8Array(file.body);
    return c.body(body, 200, {
      'Content-Type': file.contentType,
      'Content-Length': String(file.body.byteLength),
      'Cache-Control': file.watermarked ? 'private, no-cache' : `private, max-age=${maxAge}, immutable`,
      Vary: 'Accept',
      'X-Lumina-Watermark': file.watermarked ? 'free-plan' : 'none',
      'Cross-Origin-Resource-Policy': 'cross-origin',
      'X-Content-Type-Options': 'nosniff',
    });
  },
);
