import type { PairingToken } from '@lumina/shared';
import { and, eq, isNull, lte, or } from 'drizzle-orm';
import { sessionIdOf } from '../../auth/session-token.ts';
import { pairings } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import { createSession } from '../accounts/create-session.ts';
import type { ServiceContext } from '../context.ts';
import { effectivePairingStatus, pairingPollIntervalSeconds } from './pairing-policy.ts';

/**
 * The plugin's poll (RFC 8628's token request). Each state has its own code: `pairing_pending`,
 * `pairing_slow_down` (polled again within the interval), `pairing_expired`, `pairing_denied`, and after the one
 * successful answer `pairing_consumed`. The approved pairing turns into a plugin session exactly once: the
 * guarded status update lets only one poll through.
 */
export async function exchangePairing({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db'>;
  input: { pollSecret: string };
}): Promise<PairingToken> {
  const [pairing] = await ctx.db
    .select()
    .from(pairings)
    .where(eq(pairings.pollSecretHash, sessionIdOf(input.pollSecret)));
  if (!pairing) throw new ApiError('not_found', 'No such pairing; start a new one.');
  const now = new Date();
  const status = effectivePairingStatus(pairing, now);
  if (status === 'consumed') throw new ApiError('pairing_consumed', 'This pairing already gave out its token.');
  if (status === 'expired') throw new ApiError('pairing_expired', 'The pairing code expired; start a new one.');

  const [polled] = await ctx.db
    .update(pairings)
    .set({ lastPolledAt: now })
    .where(
      and(
        eq(pairings.id, pairing.id),
        or(
          isNull(pairings.lastPolledAt),
          lte(pairings.lastPolledAt, new Date(now.getTime() - pairingPollIntervalSeconds * 1000)),
        ),
      ),
    )
    .returning({ id: pairings.id });
  if (!polled) {
    throw new ApiError('pairing_slow_down', `Poll at most every ${pairingPollIntervalSeconds} seconds.`, {
      interval: pairingPollIntervalSeconds,
    });
  }
  if (status === 'pending') throw new ApiError('pairing_pending', 'Waiting for the person to approve the code.');
  if (status === 'denied') throw new ApiError('pairing_denied', 'The person denied this pairing.');

  return ctx.db.transaction(async (tx) => {
    const [taken] = await tx
      .update(pairings)
      .set({ status: 'consumed' })
      .where(and(eq(pairings.id, pairing.id), eq(pairings.status, 'approved')))
      .returning();
    if (!taken?.approvedByUserId || !taken.teamId) {
      throw new ApiError('pairing_consumed', 'This pairing already gave out its token.');
    }
    const session = await createSession(tx, {
      userId: taken.approvedByUserId,
      kind: 'plugin',
      label: taken.label ?? undefined,
      teamId: taken.teamId,
      client: taken.client,
    });
    return {
      token: session.token,
      tokenType: 'Bearer' as const,
      sessionId: session.id,
      teamId: taken.teamId,
      expiresAt: session.expiresAt.toISOString(),
    };
  });
}
