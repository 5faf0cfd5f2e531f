import type { TeamRole } from '@lumina/shared';
import { eq } from 'drizzle-orm';
import type { Tx } from '../../db/database.ts';
import { teamMembers, teams } from '../../db/schema.ts';

/**
 * Locks the team row for the rest of the transaction and returns its members, so two concurrent role changes
 * or removals cannot both see "another owner is left" and leave the team with none.
 */
export async function lockTeamMembers(tx: Tx, teamId: string): Promise<Map<string, TeamRole>> {
  await tx.select({ id: teams.id }).from(teams).where(eq(teams.id, teamId)).for('update');
  const rows = await tx
    .select({ userId: teamMembers.userId, role: teamMembers.role })
    .from(teamMembers)
    .where(eq(teamMembers.teamId, teamId));
  return new Map(rows.map((r) => [r.userId, r.role]));
}

export const ownerCount = (members: Map<string, TeamRole>): number =>
  [...members.values()].filter((role) => role === 'owner').length;
