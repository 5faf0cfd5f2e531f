import { and, eq } from 'drizzle-orm';
import { isUniqueViolation } from '../../db/is-unique-violation.ts';
import { creditLedger, teams } from '../../db/schema.ts';
import type { ServiceContext } from '../context.ts';
import { planOf, plansApply, utcMonthOf } from '../teams/team-plan.ts';
import { postLedgerEntry } from './ledger.ts';

/**
 * The free plan's monthly credits, granted lazily (when the team submits or looks at its balance) and exactly
 * once per team and UTC month: the ledger's unique (team, month) key makes a second grant impossible, even from
 * two requests at once. The grant tops the spendable balance up to `FREE_MONTHLY_CREDITS` rather than adding
 * to it, so unused free credits do not pile up; a team already at or above it gets a row of 0 that marks the
 * month as done. Paid teams get no allowance.
 */
export async function ensureMonthlyAllowance({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db' | 'config'>;
  input: { teamId: string; now?: Date };
}): Promise<{ granted: number } | null> {
  const allowance = ctx.config.billing.freeMonthlyCredits;
  if (!plansApply(ctx.config) || allowance === 0) return null;
  const month = utcMonthOf(input.now ?? new Date());
  const done = async () => {
    const [row] = await ctx.db
      .select({ id: creditLedger.id })
      .from(creditLedger)
      .where(and(eq(creditLedger.teamId, input.teamId), eq(creditLedger.allowanceMonth, month)));
    return row !== undefined;
  };
  if (await done()) return null;
  if ((await planOf(ctx.db, input.teamId)) === 'paid') return null;
  try {
    return await ctx.db.transaction(async (tx) => {
      const [team] = await tx
        .select({ balance: teams.balance })
        .from(teams)
        .where(eq(teams.id, input.teamId))
        .for('update');
      if (!team) return null;
      // Re-read under the team's lock: a purchase may have committed since the check above.
      if ((await planOf(tx, input.teamId)) === 'paid') return null;
      const granted = Math.max(0, allowance - team.balance);
      await postLedgerEntry(tx, {
        teamId: input.teamId,
        kind: 'allowance',
        balanceDelta: granted,
        reservedDelta: 0,
        allowanceMonth: month,
        note: `free plan allowance ${month}`,
      });
      return { granted };
    });
  } catch (error) {
    // Another request granted this month's allowance first.
    if (isUniqueViolation(error, 'credit_ledger_team_allowance_month')) return null;
    throw error;
  }
}
