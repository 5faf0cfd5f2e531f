import { Hono } from 'hono';
import { ApiError } from '../../errors.ts';
import { filesPathPrefix } from '../../signed-urls.ts';
import type { AppEnv } from '../env.ts';

/**
 * Result files behind signed, expiring URLs: no bearer header needed, so plugins, `<img>` tags and a CDN can
 * fetch them. Only result keys are served; inputs never leave the backend.
 */
export const fileRoutes = new Hono<AppEnv>().get('/*', async (c) => {
  const ctx = c.var.ctx;
  const key = decodeURIComponent(c.req.path.slice(filesPathPrefix.length));
  if (!key.startsWith('results/')) throw new ApiError('not_found', 'No such file.');
  const now = new Date();
  const expires = c.req.query('expires');
  if (!ctx.signedUrls.verify(key, expires, c.req.query('signature'), now)) {
    throw new ApiError(
      'invalid_signature',
      'The link has expired or its signature is invalid; ask the API for a fresh one.',
    );
  }
  const object = await ctx.store.get(key);
  if (!object) throw new ApiError('not_found', 'No such file.');
  const maxAge = Math.max(0, Number(expires) - Math.floor(now.getTime() / 1000));
  return c.body(new Uint8Array(object.body), 200, {
    'Content-Type': object.contentType,
    'Content-Length': String(object.body.byteLength),
    'Cache-Control': `private, max-age=${maxAge}, immutable`,
    'Cross-Origin-Resource-Policy': 'cross-origin',
    'X-Content-Type-Options': 'nosniff',
  });
});
