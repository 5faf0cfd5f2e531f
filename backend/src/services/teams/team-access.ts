import type { TeamRole } from '@lumina/shared';
import { and, eq } from 'drizzle-orm';
import { hasRole } from '../../auth/team-roles.ts';
import type { Db, Tx } from '../../db/database.ts';
import { teamMembers } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';

/** The user's role in the team, or null when not a member. */
export async function roleIn(db: Db | Tx, input: { userId: string; teamId: string }): Promise<TeamRole | null> {
  const [row] = await db
    .select({ role: teamMembers.role })
    .from(teamMembers)
    .where(and(eq(teamMembers.teamId, input.teamId), eq(teamMembers.userId, input.userId)));
  return row?.role ?? null;
}

/**
 * The scope check every team use case starts with. A team the user is not in answers the same 404 as a team
 * that does not exist; a member without the role gets 403.
 */
export async function requireTeamRole(
  db: Db | Tx,
  input: { userId: string; teamId: string },
  minimum: TeamRole,
): Promise<TeamRole> {
  const role = await roleIn(db, input);
  if (!role) throw new ApiError('not_found', 'No such team.');
  if (!hasRole(role, minimum)) {
    throw new ApiError('forbidden', `This needs the ${minimum} role in the team; you are ${role}.`, { role });
  }
  return role;
}
