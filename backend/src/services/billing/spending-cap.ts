import { and, eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/database.ts';
import { memberMonthlySpend, teamMembers, teams } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import { utcMonthOf } from '../teams/team-plan.ts';

/**
 * What a member spent from a team's pool this UTC month: credits held by their tasks in flight plus credits
 * captured by their completed tasks; failed and canceled tasks gave theirs back. Read from the member's monthly
 * counter, which outlives the tasks the retention job deletes.
 */
export async function spentThisMonth(db: Db | Tx, input: { teamId: string; userId: string; now: Date }) {
  const [row] = await db
    .select({ credits: memberMonthlySpend.credits })
    .from(memberMonthlySpend)
    .where(
      and(
        eq(memberMonthlySpend.teamId, input.teamId),
        eq(memberMonthlySpend.userId, input.userId),
        eq(memberMonthlySpend.month, utcMonthOf(input.now)),
      ),
    );
  return row?.credits ?? 0;
}

/**
 * Moves a member's counter for the month a task was submitted in, inside the transaction that reserves
 * (`credits` > 0) or releases (< 0) the task's credits. A release never takes the counter below zero.
 */
export async function addMemberSpend(
  tx: Tx,
  input: { teamId: string; userId: string; submittedAt: Date; credits: number },
): Promise<void> {
  await tx
    .insert(memberMonthlySpend)
    .values({
      teamId: input.teamId,
      userId: input.userId,
      month: utcMonthOf(input.submittedAt),
      credits: Math.max(0, input.credits),
    })
    .onConflictDoUpdate({
      target: [memberMonthlySpend.teamId, memberMonthlySpend.userId, memberMonthlySpend.month],
      set: { credits: sql`greatest(0, ${memberMonthlySpend.credits} + ${input.credits})` },
    });
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
