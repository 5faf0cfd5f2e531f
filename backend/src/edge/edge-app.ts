import { type ErrorBody, type ErrorCode, httpStatusOf, type ResultVariantFormat } from '@lumina/shared';
import { type Context, Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { claimsOfQuery, fileKeyOfPath } from '../lib/file-link.ts';
import { type EdgeBindings, type EdgeConfig, edgeConfigOf } from './edge-config.ts';
import { storedObjectOf } from './stored-object-of.ts';
import { verifyFileLink } from './verify-file-link.ts';

export type { EdgeBindings } from './edge-config.ts';

type EdgeEnv = { Bindings: EdgeBindings; Variables: { requestId: string } };

const hopByHop = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host'];

/**
 * An object's bytes never change under its key, so caches need not revalidate; but the answer may be kept only
 * while its link is valid. The origin signs no link past the task's `expiresAt`, so this also ends before
 * retention deletes the result (per `Accept`, which picks the encoding).
 */
const cacheControlUntil = (expires: number, now: Date): string =>
  `public, max-age=${Math.max(0, expires - Math.floor(now.getTime() / 1000))}, immutable`;

const contentTypeOf: Record<ResultVariantFormat, string> = {
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
};

/** Passes the request to the origin unchanged, streaming both ways, with the edge's request id. */
async function forwardToOrigin(c: Context<EdgeEnv>, config: EdgeConfig): Promise<Response> {
  const incoming = new URL(c.req.url);
  const target = new URL(incoming.pathname + incoming.search, config.origin);
  const headers = new Headers(c.req.raw.headers);
  for (const name of hopByHop) headers.delete(name);
  headers.set('x-forwarded-host', incoming.host);
  headers.set('x-request-id', c.var.requestId);
  // Cloudflare's word for the client's address replaces whatever the client claimed, for TRUST_PROXY origins.
  const client = c.req.header('cf-connecting-ip');
  if (client) headers.set('x-forwarded-for', client);
  const hasBody = c.req.method !== 'GET' && c.req.method !== 'HEAD';
  const init: RequestInit & { duplex?: 'half' } = {
    method: c.req.method,
    headers,
    redirect: 'manual',
    ...(hasBody ? { body: c.req.raw.body, duplex: 'half' } : {}),
  };
  return fetch(target, init);
}

/** The origin's error envelope, answered by the edge itself. */
function edgeError(c: Context<EdgeEnv>, code: ErrorCode, message: string) {
  const body: ErrorBody = { error: { code, message, requestId: c.var.requestId } };
  return c.json(body, httpStatusOf[code]);
}

/**
 * The edge entry, built from the same Hono code as the origin; it imports nothing from Node, so it runs on
 * Cloudflare Workers. Result links are checked here, and a clean result is served straight from the R2 bucket
 * the origin writes to, in the encoding the origin would pick. Whatever needs the origin's judgement goes
 * there: a link signed with `wm=1` (the free plan's mark is drawn by the origin), an encoding or thumbnail not
 * made yet, an object R2 does not have (the origin knows whether it expired or never existed), an unknown key
 * or format, and every other path.
 */
export function createEdgeApp() {
  return new Hono<EdgeEnv>()
    .use(requestId({ generator: () => `req_${crypto.randomUUID().replaceAll('-', '')}` }))
    .get('/edge/healthz', (c) => c.json({ status: 'ok' as const }, 200))
    .get('/files/*', async (c) => {
      const config = edgeConfigOf(c.env);
      const key = fileKeyOfPath(new URL(c.req.url).pathname);
      const signature = c.req.query('signature');
      const claims =
        key === undefined
          ? undefined
          : claimsOfQuery(key, { expires: c.req.query('expires'), signature, wm: c.req.query('wm') });
      if (!claims || !signature || !(await verifyFileLink(await config.signingKey, claims, signature, new Date()))) {
        return edgeError(
          c,
          'invalid_signature',
          'The link has expired or its signature is invalid; ask the API for a fresh one.',
        );
      }
      const stored = config.results && storedObjectOf(claims.key, c.req.query('format'), c.req.header('accept'));
      if (claims.watermark || !config.results || !stored) return forwardToOrigin(c, config);
      const ifNoneMatch = c.req.header('if-none-match');
      const object = await config.results.get(stored.key, {
        onlyIf: new Headers(ifNoneMatch ? { 'if-none-match': ifNoneMatch } : {}),
      });
      // Not there: a variant or thumbnail not made yet (the origin makes and keeps it), or a deleted result.
      if (!object) return forwardToOrigin(c, config);
      const headers = {
        'Content-Type': object.httpMetadata?.contentType ?? contentTypeOf[stored.format],
        ETag: object.httpEtag,
        'Cache-Control': cacheControlUntil(claims.expires, new Date()),
        Vary: 'Accept',
        'X-Lumina-Watermark': 'none',
        'Cross-Origin-Resource-Policy': 'cross-origin',
        'X-Content-Type-Options': 'nosniff',
      };
      // R2 leaves the body out when `If-None-Match` already names this object.
      if (!object.body) return c.body(null, 304, headers);
      return c.body(object.body, 200, { ...headers, 'Content-Length': String(object.size) });
    })
    .all('*', (c) => forwardToOrigin(c, edgeConfigOf(c.env)))
    .onError((error, c) => {
      console.error(
        JSON.stringify({
          level: 'error',
          msg: 'edge request failed',
          requestId: c.var.requestId,
          error: String(error),
        }),
      );
      return edgeError(c, 'internal_error', 'Something went wrong on our side; the request can be retried.');
    });
}

export default createEdgeApp();
