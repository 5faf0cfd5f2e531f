import type { ServiceContext } from '../context.ts';
import { watermarkedPrefixOf } from './result-keys.ts';

/**
 * Deletes every watermarked copy kept for a team, once it has bought credits: its results are served clean
 * from then on, so the marked copies would only take space until their tasks expire. Returns how many went.
 */
export async function forgetWatermarkedCopies({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'store'>;
  input: { teamId: string };
}): Promise<{ deleted: number }> {
  const keys = await ctx.store.list(watermarkedPrefixOf(input.teamId));
  for (const key of keys) await ctx.store.delete(key);
  return { deleted: keys.length };
}
