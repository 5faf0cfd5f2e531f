import type { BillingPlan } from '@lumina/shared';
import { type SQL, sql } from 'drizzle-orm';
import type { Config } from '../../config.ts';
import { creditLedger, tasks } from '../../db/schema.ts';
import { plansApply } from '../teams/team-plan.ts';

/** Days a finished task of a team on `plan` is kept; 0 means it is kept until deleted otherwise. */
export const retentionDaysOf = (config: Pick<Config, 'billing' | 'retention'>, plan: BillingPlan): number =>
  plansApply(config) && plan === 'free' ? config.retention.freePlanDays : config.retention.days;

/** `finishedAt` plus the plan's retention, or null where the plan keeps results. */
export const expiryAfter = (finishedAt: Date, days: number): Date | null =>
  days === 0 ? null : new Date(finishedAt.getTime() + days * 86_400_000);

const expirySql = (finishedAt: Date, days: number): SQL =>
  // Whole seconds, not calendar days: the same instant `expiryAfter` gives, whatever the session's time zone.
  days === 0
    ? sql`null`
    : sql`${finishedAt.toISOString()}::timestamptz + make_interval(secs => ${days * 86_400}::double precision)`;

/**
 * `tasks.expires_at` for a task settling at `finishedAt`, as an expression over the task's own row: the plan is
 * read in the same statement that settles the task (a `purchase` in the team's ledger makes it paid).
 */
export function expiresAtOnSettle(config: Pick<Config, 'billing' | 'retention'>, finishedAt: Date): SQL {
  const paid = expirySql(finishedAt, retentionDaysOf(config, 'paid'));
  if (!plansApply(config)) return paid;
  const free = expirySql(finishedAt, retentionDaysOf(config, 'free'));
  return sql`case when exists (select 1 from ${creditLedger} where ${creditLedger.teamId} = ${tasks.teamId} and ${creditLedger.kind} = 'purchase') then ${paid} else ${free} end`;
}
