import { randomBytes } from 'node:crypto';

const alphabet = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

/**
 * A prefixed, time-sortable id (`task_01j…`): 10 characters of milliseconds then 16 random characters, so ids
 * sort by creation time and history pages can use the id as a cursor.
 */
export function newId<P extends string>(prefix: P, now = Date.now()): `${P}_${string}` {
  let time = '';
  let ms = now;
  for (let i = 0; i < 10; i += 1) {
    time = alphabet.charAt(ms % 32) + time;
    ms = Math.floor(ms / 32);
  }
  const bytes = randomBytes(16);
  let random = '';
  for (const byte of bytes) random += alphabet.charAt(byte % 32);
  return `${prefix}_${time}${random}`;
}
