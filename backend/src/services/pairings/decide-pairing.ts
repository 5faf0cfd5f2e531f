import type { PairingView } from '@lumina/shared';
import { and, eq, gt } from 'drizzle-orm';
import { pairings } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import type { ServiceContext } from '../context.ts';
import { requireTeamRole } from '../teams/team-access.ts';
import { findPairing } from './find-pairing.ts';
import { effectivePairingStatus, toPairingView } from './pairing-policy.ts';

/**
 * The person approves (for one of their teams) or denies a pending pairing. Only a pending, unexpired pairing
 * changes, and only once: the update is guarded on that state.
 */
export async function decidePairing({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db'>;
  input: { userId: string; userCode: string } & ({ decision: 'approve'; teamId: string } | { decision: 'deny' });
}): Promise<PairingView> {
  const pairing = await findPairing(ctx.db, input.userCode);
  // Any member may connect a plugin: members spend from the team's pool, which is what the plugin does.
  if (input.decision === 'approve')
    await requireTeamRole(ctx.db, { userId: input.userId, teamId: input.teamId }, 'member');
  const now = new Date();
  const [decided] = await ctx.db
    .update(pairings)
    .set(
      input.decision === 'approve'
        ? { status: 'approved', approvedByUserId: input.userId, teamId: input.teamId }
        : { status: 'denied', approvedByUserId: input.userId },
    )
    .where(and(eq(pairings.id, pairing.id), eq(pairings.status, 'pending'), gt(pairings.expiresAt, now)))
    .returning();
  if (decided) return toPairingView(decided);
  const [current] = await ctx.db.select().from(pairings).where(eq(pairings.id, pairing.id));
  const status = current ? effectivePairingStatus(current, now) : 'expired';
  if (status === 'expired')
    throw new ApiError('pairing_expired', 'The pairing code expired; start again from the plugin.');
  if (status === 'denied') throw new ApiError('pairing_denied', 'This pairing was already denied.');
  throw new ApiError('pairing_consumed', 'This pairing was already approved.');
}
