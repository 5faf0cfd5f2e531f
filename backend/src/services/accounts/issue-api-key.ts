import type { ApiKeyCreated } from '@lumina/shared';
import { eq } from 'drizzle-orm';
import { apiKeys } from '../../db/schema.ts';
import type { ServiceContext } from '../context.ts';
import { requireTeamRole } from '../teams/team-access.ts';
import { toApiKeyView } from './api-key-view.ts';
import { createApiKey } from './create-api-key.ts';

/** An admin mints a key for the team; the secret is in this answer only. */
export async function issueApiKey({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db'>;
  input: { userId: string; teamId: string; name: string };
}): Promise<ApiKeyCreated> {
  await requireTeamRole(ctx.db, input, 'admin');
  const created = await createApiKey(ctx.db, { teamId: input.teamId, name: input.name });
  const [row] = await ctx.db.select().from(apiKeys).where(eq(apiKeys.id, created.id));
  if (!row) throw new Error(`key ${created.id} vanished after insert`);
  return { ...toApiKeyView(row), secret: created.secret };
}
