import type { BillingOverview } from '@lumina/shared';
import { desc, eq } from 'drizzle-orm';
import { checkouts, teams } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import type { ServiceContext } from '../context.ts';
import { planOf } from '../teams/team-plan.ts';
import { ensureMonthlyAllowance } from './ensure-monthly-allowance.ts';

/** How many past checkouts the overview lists. */
const purchasesListed = 50;

/** `GET /api/v1/billing`: any member sees the active team's plan, pool, the packs on sale and past checkouts. */
export async function describeBilling({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db' | 'config' | 'payments'>;
  input: { teamId: string };
}): Promise<BillingOverview> {
  await ensureMonthlyAllowance({ ctx, input: { teamId: input.teamId } });
  const [team] = await ctx.db
    .select({ balance: teams.balance, reserved: teams.reserved })
    .from(teams)
    .where(eq(teams.id, input.teamId));
  if (!team) throw new ApiError('not_found', 'No such team.');
  const rows = await ctx.db
    .select()
    .from(checkouts)
    .where(eq(checkouts.teamId, input.teamId))
    .orderBy(desc(checkouts.createdAt), desc(checkouts.id))
    .limit(purchasesListed);
  return {
    enabled: ctx.payments !== undefined,
    plan: await planOf(ctx.db, input.teamId),
    balance: team.balance,
    reserved: team.reserved,
    packs: [...ctx.config.billing.packs],
    freeMonthlyCredits: ctx.config.billing.freeMonthlyCredits,
    purchases: rows.map((row) => ({
      checkoutId: row.id,
      packId: row.packId,
      credits: row.credits,
      amount: row.amount,
      currency: row.currency,
      status: row.status,
      createdAt: row.createdAt.toISOString(),
      paidAt: row.paidAt?.toISOString() ?? null,
    })),
  };
}
