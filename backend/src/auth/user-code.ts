import { randomInt } from 'node:crypto';

/**
 * RFC 8628's recommended user-code alphabet: 20 upper-case consonants, no vowels (no words) and nothing that
 * looks like a digit. Eight of them (20⁸ ≈ 2.6·10¹⁰) shown as `BCDF-GHJK`.
 */
const alphabet = 'BCDFGHJKLMNPQRSTVWXZ';

export function generateUserCode(): string {
  let code = '';
  for (let i = 0; i < 8; i += 1) code += alphabet.charAt(randomInt(alphabet.length));
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** What a person typed (`bcdf ghjk`, `BCDFGHJK`) → the stored form, or null when it cannot be a code. */
export function normalizeUserCode(typed: string): string | null {
  const letters = typed.toUpperCase().replace(/[\s-]/g, '');
  if (letters.length !== 8 || [...letters].some((c) => !alphabet.includes(c))) return null;
  return `${letters.slice(0, 4)}-${letters.slice(4)}`;
}
