import { and, eq, gte, sql } from 'drizzle-orm';
import { creditLedger } from '../../db/schema.ts';
import type { ServiceContext } from '../context.ts';
import { requireTeamRole } from '../teams/team-access.ts';

export interface UsageDay {
  /** The UTC day, `YYYY-MM-DD`. */
  readonly date: string;
  /** Credits captured by finished tasks that day. */
  readonly spentCredits: number;
  /** Credits added to the pool that day (purchases and grants). */
  readonly addedCredits: number;
}

const dayMs = 24 * 60 * 60 * 1000;

/**
 * The team's credit movements per UTC day over the last `days` days, oldest first, with empty days filled in,
 * derived from the ledger (the truth for money). Spending counts captures only: a reservation that is released
 * again never cost anything. Any member may look.
 */
export async function summarizeUsage({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db'>;
  input: { userId: string; teamId: string; days: number; now?: Date };
}): Promise<{ days: UsageDay[] }> {
  await requireTeamRole(ctx.db, input, 'member');
  const today = startOfUtcDay(input.now ?? new Date());
  const since = new Date(today.getTime() - (input.days - 1) * dayMs);
  const day = sql<string>`to_char(${creditLedger.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`;
  const rows = await ctx.db
    .select({
      date: day,
      spent: sql<number>`coalesce(sum(case when ${creditLedger.kind} = 'capture' then -${creditLedger.reservedDelta} else 0 end), 0)::int`,
      added: sql<number>`coalesce(sum(case when ${creditLedger.kind} not in ('reserve', 'capture', 'release') and ${creditLedger.balanceDelta} > 0 then ${creditLedger.balanceDelta} else 0 end), 0)::int`,
    })
    .from(creditLedger)
    .where(and(eq(creditLedger.teamId, input.teamId), gte(creditLedger.createdAt, since)))
    .groupBy(day);
  const byDate = new Map(rows.map((row) => [row.date, row]));
  return {
    days: Array.from({ length: input.days }, (_, i) => {
      const date = new Date(since.getTime() + i * dayMs).toISOString().slice(0, 10);
      const row = byDate.get(date);
      return { date, spentCredits: Number(row?.spent ?? 0), addedCredits: Number(row?.added ?? 0) };
    }),
  };
}

const startOfUtcDay = (at: Date): Date => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
