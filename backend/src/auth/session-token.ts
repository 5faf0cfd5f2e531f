import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';

/**
 * The Lucia guide's session token: 20 random bytes (160 bits) as lower-case base32 without padding. The client
 * holds the token; the database holds only `sessionIdOf(token)`, so reading the table gives no usable session.
 */
export function generateSessionToken(): string {
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

/** The session id: the hex SHA-256 of the token. Also used for invite and pairing secrets. */
export function sessionIdOf(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}
