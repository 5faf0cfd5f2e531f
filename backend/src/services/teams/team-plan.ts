import type { BillingPlan } from '@lumina/shared';
import { and, eq } from 'drizzle-orm';
import type { Config } from '../../config.ts';
import type { Db, Tx } from '../../db/database.ts';
import { creditLedger } from '../../db/schema.ts';

/** Plans exist only where packs can be bought: without Stripe there is no allowance and no watermark. */
export const plansApply = (config: Pick<Config, 'billing'>): boolean => config.billing.stripe !== undefined;

/** `paid` once the team has any `purchase` in its ledger (bought credits are never taken back into `free`). */
export async function planOf(db: Db | Tx, teamId: string): Promise<BillingPlan> {
  const [purchase] = await db
    .select({ id: creditLedger.id })
    .from(creditLedger)
    .where(and(eq(creditLedger.teamId, teamId), eq(creditLedger.kind, 'purchase')))
    .limit(1);
  return purchase ? 'paid' : 'free';
}

/**
 * Whether the team's results are served with the free plan's mark: billing is on and the team never bought
 * credits. The file route and the signed result URL (`wm=1`, which the edge obeys) both decide with this.
 */
export async function watermarksResults(ctx: { config: Pick<Config, 'billing'>; db: Db | Tx }, teamId: string) {
  return plansApply(ctx.config) && (await planOf(ctx.db, teamId)) === 'free';
}

/** The UTC calendar month of `now`, `YYYY-MM`: the period of free allowances and spending caps. */
export const utcMonthOf = (now: Date): string => now.toISOString().slice(0, 7);

/** The first instant of `now`'s UTC calendar month. */
export const utcMonthStart = (now: Date): Date => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
