import { createHash, randomBytes } from 'node:crypto';
import type { Db, Tx } from '../../db/database.ts';
import { apiKeys } from '../../db/schema.ts';
import { newId } from '../../ids.ts';

const secretPrefix = 'lum_';

export const hashApiKey = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** Mints a key: 32 random bytes, shown once; only the SHA-256 is stored. */
export async function createApiKey(db: Db | Tx, input: { teamId: string; name: string }) {
  const secret = `${secretPrefix}${randomBytes(32).toString('base64url')}`;
  const id = newId('key');
  await db.insert(apiKeys).values({
    id,
    teamId: input.teamId,
    name: input.name,
    displayPrefix: secret.slice(0, 10),
    secretHash: hashApiKey(secret),
  });
  return { id, secret };
}
