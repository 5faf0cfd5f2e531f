import { and, eq, gte, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/database.ts';
import { tasks, teamMembers, teams } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { utcMonthStart } from './team-plan.ts';

/**
 * What a member spent from a team's pool this UTC month: credits held by their tasks in flight plus credits
 * captured by their completed tasks. Failed and canceled tasks were released and do not count.
 */
export async function spentThisMonth(db: Db | Tx, input: { teamId: string; userId: string; now: Date }) {
  const [row] = await db
    .select({
      spent: sql<number>`coalesce(sum(case when ${tasks.status} in ('QUEUED', 'PROCESSING') then ${tasks.creditsReserved} else ${tasks.creditsDeducted} end), 0)::int`,
    })
    .from(tasks)
    .where(
      and(
        eq(tasks.teamId, input.teamId),
        eq(tasks.submittedByUserId, input.userId),
        gte(tasks.createdAt, utcMonthStart(input.now)),
      ),
    );
  return row?.spent ?? 0;
}

/**
 * Refuses a submit that would take the member past their monthly spending cap. Inside the reserving
 * transaction, `lock` holds the member's row until commit, so two concurrent submits by one member are checked
 * one after the other and cannot both squeeze under the cap. The team row is locked first, in the order
 * `lockTeamMembers` uses, so a submit racing the member's removal cannot deadlock with it.
 */
export async function checkSpendingCap(
  db: Db | Tx,
  input: { teamId: string; userId: string; credits: number; now: Date; lock: boolean },
): Promise<void> {
  if (input.lock) await db.select({ id: teams.id }).from(teams).where(eq(teams.id, input.teamId)).for('update');
  const query = db
    .select({ cap: teamMembers.monthlySpendCap })
    .from(teamMembers)
    .where(and(eq(teamMembers.teamId, input.teamId), eq(teamMembers.userId, input.userId)));
  const [member] = input.lock ? await query.for('update') : await query;
  if (member?.cap == null) return;
  const spent = await spentThisMonth(db, input);
  if (spent + input.credits > member.cap) {
    throw new ApiError(
      'spending_cap_reached',
      `This would take you past your monthly spending cap of ${member.cap} credits in this team (${spent} spent this month); nothing was charged.`,
      { monthlySpendCap: member.cap, spentThisMonth: spent, credits: input.credits },
    );
  }
}
