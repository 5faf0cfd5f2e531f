import { encodeBase64urlNoPadding } from '@oslojs/encoding';
import { constantTimeEqual, type FileLinkClaims, fileLinkMessage, isCurrent } from '../lib/file-link.ts';
import type { HmacKey } from './edge-config.ts';

/**
 * The origin's check (backend/src/signed-urls.ts) in Web Crypto: the same HMAC-SHA256 over the same message,
 * base64url without padding, compared in constant time, and the expiry still ahead.
 */
export async function verifyFileLink(
  signingKey: HmacKey,
  claims: FileLinkClaims,
  signature: string,
  now: Date,
): Promise<boolean> {
  const message = new TextEncoder().encode(fileLinkMessage(claims));
  const expected = encodeBase64urlNoPadding(new Uint8Array(await crypto.subtle.sign('HMAC', signingKey, message)));
  return constantTimeEqual(expected, signature) && isCurrent(claims, now);
}
