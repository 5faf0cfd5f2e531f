import { and, eq, gte, sql } from 'drizzle-orm';
import type { Tx } from '../../db/database.ts';
import { creditLedger, teams } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';

export type LedgerKind = (typeof creditLedger.$inferInsert)['kind'];

export interface LedgerEntry {
  readonly teamId: string;
  readonly taskId?: string;
  readonly kind: LedgerKind;
  /** Change of the spendable balance. */
  readonly balanceDelta: number;
  /** Change of the credits held by tasks in flight. */
  readonly reservedDelta: number;
  readonly note?: string;
  /** `purchase` only: the Stripe Checkout Session (unique: a session grants once). */
  readonly checkoutId?: string;
  /** `allowance` only: the UTC month, `YYYY-MM` (unique per team: one allowance a month). */
  readonly allowanceMonth?: string;
}

/**
 * Writes one ledger row and moves the team's counters by the same deltas, inside the caller's transaction.
 * The update is guarded so neither counter can go below zero: a reserve the pool cannot cover matches no row
 * and becomes `insufficient_credits`, with nothing written.
 */
export async function postLedgerEntry(tx: Tx, entry: LedgerEntry): Promise<{ balance: number; reserved: number }> {
  const [team] = await tx
    .update(teams)
    .set({
      balance: sql`${teams.balance} + ${entry.balanceDelta}`,
      reserved: sql`${teams.reserved} + ${entry.reservedDelta}`,
    })
    .where(
      and(
        eq(teams.id, entry.teamId),
        gte(teams.balance, -entry.balanceDelta),
        gte(teams.reserved, -entry.reservedDelta),
      ),
    )
    .returning({ balance: teams.balance, reserved: teams.reserved });
  if (!team) {
    throw new ApiError('insufficient_credits', 'The team does not have enough credits for this operation.');
  }
  await tx.insert(creditLedger).values({
    teamId: entry.teamId,
    taskId: entry.taskId ?? null,
    kind: entry.kind,
    balanceDelta: entry.balanceDelta,
    reservedDelta: entry.reservedDelta,
    note: entry.note ?? null,
    checkoutId: entry.checkoutId ?? null,
    allowanceMonth: entry.allowanceMonth ?? null,
  });
  return team;
}
