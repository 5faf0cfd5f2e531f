/**
 * The signed result link, shared by the origin (which signs with node:crypto) and the edge worker (which verifies
 * with Web Crypto). Pure: no Node, no globals, so both runtimes import it and cannot drift apart.
 */

/** The path result files are served under; the key follows it. */
export const filesPathPrefix = '/files/';

/** What a link's MAC covers: the object, until when, and whether the free plan's mark must be drawn on it. */
export interface FileLinkClaims {
  readonly key: string;
  readonly expires: number;
  /** Signed in as `wm=1`: the edge must not serve the stored (clean) object, only the origin's marked copy. */
  readonly watermark: boolean;
}

/**
 * The exact text the HMAC-SHA256 covers. The watermark flag is always part of it (`wm=0` for clean links), so
 * dropping `wm=1` from a URL breaks its signature instead of turning a marked link into a clean one.
 */
export const fileLinkMessage = (claims: FileLinkClaims): string =>
  `${claims.key}\n${claims.expires}\nwm=${claims.watermark ? 1 : 0}`;

/** `/files/<key>?expires=…&signature=…[&wm=1]`, each path segment of the key percent-encoded. */
export const fileLinkPath = (claims: FileLinkClaims, signature: string): string => {
  const path = claims.key.split('/').map(encodeURIComponent).join('/');
  const query = `expires=${claims.expires}&signature=${signature}${claims.watermark ? '&wm=1' : ''}`;
  return `${filesPathPrefix}${path}?${query}`;
};

/** The object key of a `/files/…` path, or undefined when the path is not one or its escapes are malformed. */
export const fileKeyOfPath = (pathname: string): string | undefined => {
  if (!pathname.startsWith(filesPathPrefix)) return undefined;
  try {
    return decodeURIComponent(pathname.slice(filesPathPrefix.length));
  } catch {
    return undefined;
  }
};

/** The query parameters a link carries, as read from the URL (absent ones undefined). */
export interface FileLinkQuery {
  readonly expires: string | undefined;
  readonly signature: string | undefined;
  readonly wm: string | undefined;
}

/**
 * The claims a link's query states, or undefined when it is malformed. It says nothing about the signature
 * being right or the link being current: the caller checks both.
 */
export const claimsOfQuery = (key: string, query: FileLinkQuery): FileLinkClaims | undefined => {
  if (!query.expires || !/^\d{1,12}$/.test(query.expires)) return undefined;
  if (query.wm !== undefined && query.wm !== '1') return undefined;
  return { key, expires: Number(query.expires), watermark: query.wm === '1' };
};

/** True while `now` is before the link's expiry (seconds since the epoch). */
export const isCurrent = (claims: FileLinkClaims, now: Date): boolean => claims.expires * 1000 > now.getTime();

/** String equality whose time does not depend on where the strings differ (only on their lengths). */
export const constantTimeEqual = (a: string, b: string): boolean => {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
};
