import type { TeamView } from '@lumina/shared';
import { teamMembers, teams } from '../../db/schema.ts';
import { newId } from '../../ids.ts';
import type { ServiceContext } from '../context.ts';

/** A shared team started by a signed-in user, who becomes its owner. Its pool starts empty. */
export async function createOwnedTeam({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db'>;
  input: { userId: string; name: string };
}): Promise<TeamView> {
  const teamId = newId('team');
  await ctx.db.transaction(async (tx) => {
    await tx.insert(teams).values({ id: teamId, name: input.name });
    await tx.insert(teamMembers).values({ teamId, userId: input.userId, role: 'owner' });
  });
  return { id: teamId, name: input.name, role: 'owner' };
}
