import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { teams } from '../../db/schema.ts';
import type { ServiceContext } from '../context.ts';
import { createTeam } from './create-team.ts';

export const localTeamCredits = 100;

/**
 * On a fresh embedded install there is nobody to run the admin CLI for (PGlite allows one process), so the
 * first start creates a `local` team and leaves its API key, readable only by this user, in the data dir.
 * A database that already has a team is left as it is.
 */
export async function bootstrapLocalTeam({ ctx }: { ctx: Pick<ServiceContext, 'db' | 'config'> }) {
  const [existing] = await ctx.db.select({ id: teams.id }).from(teams).limit(1);
  if (existing) return null;
  const team = await createTeam({ ctx, input: { name: 'local', credits: localTeamCredits } });
  const keyFile = join(ctx.config.dataDir, 'local-api-key');
  writeFileSync(keyFile, `${team.apiKey}\n`, { mode: 0o600 });
  return { teamId: team.teamId, keyFile };
}
