import { ResultVariantFormat } from '@lumina/shared';
import { z } from 'zod';
import { ApiError } from '../../errors.ts';
import { fileKeyOfPath } from '../../lib/file-link.ts';
import { readResultFile } from '../../services/tasks/read-result-file.ts';
import { parseServedKey } from '../../services/tasks/result-keys.ts';
import { apiRoute, apiRoutes } from '../api-route.ts';
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
const FileQuery = z.object({
  // Checked with the signature, so a link without them is `invalid_signature` like any other unsigned link.
  expires: z.string().optional().meta({ description: 'Part of the signed link: when it expires (Unix seconds).' }),
  signature: z.string().optional().meta({ description: 'Part of the signed link.' }),
  wm: z.string().optional().meta({ description: 'Signed in when the free plan mark applies; served by the origin.' }),
  format: ResultVariantFormat.optional().meta({ description: 'The encoding to serve; unset: chosen by `Accept`.' }),
});

const image = { schema: { type: 'string' as const, contentMediaType: 'application/octet-stream' } };

export const fileRoutes = apiRoutes().openapi(
  apiRoute(
    {
      tag: 'processing',
      auth: 'none',
      errors: ['invalid_signature', 'not_found', 'invalid_request', 'result_expired'],
    },
    {
      method: 'get',
      path: '/*',
      operationId: 'getResult',
      summary: 'A result image behind its signed, expiring URL (no bearer header)',
      description:
        "Serves a task's `resultUrl` or `thumbnailUrl` (a WebP at most 256 px a side). `format` (not part of the signature) asks for the same result as `png`, `webp` or `avif`; without it, `Accept` decides: AVIF, then WebP, when the client names them, else the stored format (`Vary: Accept`). Other encodings and the thumbnail are made once and kept. A result past its task's `expiresAt` answers 410 `result_expired`.",
      middleware: [
        rateLimit({
          name: 'files',
          limit: (config) => config.rateLimits.filesPerMinute,
          windowSeconds: 60,
          key: clientIp,
        }),
      ],
      request: { query: FileQuery },
      responses: {
        200: { description: 'The image.', content: { 'image/png': image, 'image/webp': image, 'image/avif': image } },
      },
    },
  ),
  async (c) => {
    const ctx = c.var.ctx;
    // Malformed escapes (`%E0%A4%A`) name no file, like any other key that is not a result's.
    const key = fileKeyOfPath(c.req.path);
    const served = key === undefined ? null : parseServedKey(key);
    if (key === undefined || !served) throw new ApiError('not_found', 'No such file.');
    const now = new Date();
    const { expires, signature, wm, format } = c.req.valid('query');
    if (!ctx.signedUrls.verify(key, { expires, signature, wm }, now)) {
      throw new ApiError(
        'invalid_signature',
        'The link has expired or its signature is invalid; ask the API for a fresh one.',
      );
    }
    const file = await readResultFile({
      ctx,
      input: {
        key,
        format:
          format ??
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
