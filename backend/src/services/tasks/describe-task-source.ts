import type { LuminaClientHeader, TaskSource } from '@lumina/shared';
import { eq } from 'drizzle-orm';
import type { Principal } from '../../auth/principal.ts';
import { apiKeys, sessions } from '../../db/schema.ts';
import type { ServiceContext } from '../context.ts';

/**
 * Where a submit comes from, for the task history: an API key by its id and name (`cli` when the CLI says so in
 * `X-Lumina-Client`), a plugin session by the plugin it paired as, a browser session as the studio.
 */
export async function describeTaskSource({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db'>;
  input: { principal: Principal; client?: LuminaClientHeader | undefined };
}): Promise<TaskSource> {
  const { principal } = input;
  if (principal.kind === 'api_key') {
    const [key] = await ctx.db.select({ name: apiKeys.name }).from(apiKeys).where(eq(apiKeys.id, principal.apiKeyId));
    return { kind: input.client ?? 'api_key', apiKeyId: principal.apiKeyId, label: key?.name ?? null };
  }
  if (principal.sessionKind === 'browser') return { kind: 'studio', apiKeyId: null, label: null };
  const [session] = await ctx.db
    .select({ client: sessions.client, label: sessions.label })
    .from(sessions)
    .where(eq(sessions.id, principal.sessionId));
  return { kind: session?.client ?? 'plugin', apiKeyId: null, label: session?.label ?? null };
}
