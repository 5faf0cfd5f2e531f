import { eq } from 'drizzle-orm';
import { normalizeUserCode } from '../../auth/user-code.ts';
import type { Db, Tx } from '../../db/database.ts';
import { pairings } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';

/** The pairing a typed user code names; a malformed code answers the same 404 as an unknown one. */
export async function findPairing(db: Db | Tx, typedCode: string) {
  const userCode = normalizeUserCode(typedCode);
  const [row] = userCode ? await db.select().from(pairings).where(eq(pairings.userCode, userCode)) : [];
  if (!row) throw new ApiError('not_found', 'No such pairing code; check it or start again from the plugin.');
  return row;
}
