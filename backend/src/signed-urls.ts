import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  claimsOfQuery,
  type FileLinkClaims,
  type FileLinkQuery,
  fileLinkMessage,
  fileLinkPath,
  isCurrent,
} from './lib/file-link.ts';

export { filesPathPrefix } from './lib/file-link.ts';

export interface SignedUrls {
  /**
   * A URL for `key` that works without credentials until it expires. `watermark` signs `wm=1` into it: the
   * edge then leaves the answer to the origin, which draws the free plan's mark, instead of serving the stored
   * object from its cache. It must be set exactly when `readResultFile` would mark the result.
   */
  sign(
    key: string,
    ttlSeconds: number,
    options?: { watermark?: boolean; now?: Date },
  ): { url: string; expiresAt: Date };
  /** True when the signature matches the key, expiry and watermark flag, and the expiry is still ahead. */
  verify(key: string, query: FileLinkQuery, now?: Date): boolean;
}

/** HMAC-SHA256 over `fileLinkMessage`, base64url; the edge worker computes the same with Web Crypto. */
export function createSignedUrls(options: { secret: string; baseUrl: string }): SignedUrls {
  const mac = (claims: FileLinkClaims) =>
    createHmac('sha256', options.secret).update(fileLinkMessage(claims)).digest('base64url');
  return {
    sign(key, ttlSeconds, { watermark = false, now = new Date() } = {}) {
      const claims = { key, expires: Math.floor(now.getTime() / 1000) + ttlSeconds, watermark };
      return {
        url: `${options.baseUrl}${fileLinkPath(claims, mac(claims))}`,
        expiresAt: new Date(claims.expires * 1000),
      };
    },
    verify(key, query, now = new Date()) {
      const claims = claimsOfQuery(key, query);
      if (!claims || !query.signature) return false;
      const expected = Buffer.from(mac(claims));
      const given = Buffer.from(query.signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false;
      return isCurrent(claims, now);
    },
  };
}
