import type { SessionKind } from '@lumina/shared';
import { sessionLifetimeMs } from '../../auth/session-policy.ts';
import { generateSessionToken, sessionIdOf } from '../../auth/session-token.ts';
import type { Db, Tx } from '../../db/database.ts';
import { type pairingClients, sessions } from '../../db/schema.ts';

export interface CreateSessionInput {
  readonly userId: string;
  readonly kind: SessionKind;
  readonly label?: string | undefined;
  /** Plugin sessions only: the team the user approved. */
  readonly teamId?: string | undefined;
  /** Plugin sessions only: which plugin paired. */
  readonly client?: (typeof pairingClients)[number] | undefined;
}

/** Starts a session and returns its token, which exists only here: the database keeps its SHA-256. */
export async function createSession(db: Db | Tx, input: CreateSessionInput, now = new Date()) {
  const token = generateSessionToken();
  const id = sessionIdOf(token);
  const expiresAt = new Date(now.getTime() + sessionLifetimeMs);
  await db.insert(sessions).values({
    id,
    userId: input.userId,
    kind: input.kind,
    label: input.label ?? null,
    teamId: input.kind === 'plugin' ? (input.teamId ?? null) : null,
    client: input.kind === 'plugin' ? (input.client ?? null) : null,
    expiresAt,
    createdAt: now,
    lastUsedAt: now,
  });
  return { token, id, expiresAt };
}
