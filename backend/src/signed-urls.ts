import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SignedUrls {
  /** A URL for `key` that works without credentials until it expires. */
  sign(key: string, ttlSeconds: number, now?: Date): { url: string; expiresAt: Date };
  /** True when the signature matches the key and expiry and the expiry is still ahead. */
  verify(key: string, expires: string | undefined, signature: string | undefined, now?: Date): boolean;
}

/** The path result files are served under; the key follows it. */
export const filesPathPrefix = '/files/';

export function createSignedUrls(options: { secret: string; baseUrl: string }): SignedUrls {
  const mac = (key: string, expires: number) =>
    createHmac('sha256', options.secret).update(`${key}\n${expires}`).digest('base64url');
  return {
    sign(key, ttlSeconds, now = new Date()) {
      const expires = Math.floor(now.getTime() / 1000) + ttlSeconds;
      const path = key.split('/').map(encodeURIComponent).join('/');
      const url = `${options.baseUrl}${filesPathPrefix}${path}?expires=${expires}&signature=${mac(key, expires)}`;
      return { url, expiresAt: new Date(expires * 1000) };
    },
    verify(key, expires, signature, now = new Date()) {
      if (!expires || !signature || !/^\d{1,12}$/.test(expires)) return false;
      const expected = Buffer.from(mac(key, Number(expires)));
      const given = Buffer.from(signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false;
      return Number(expires) * 1000 > now.getTime();
    },
  };
}
