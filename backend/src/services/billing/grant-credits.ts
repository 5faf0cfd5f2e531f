import { ApiError } from '../../errors.ts';
import type { ServiceContext } from '../context.ts';
import { postLedgerEntry } from './ledger.ts';

export interface GrantCreditsInput {
  readonly teamId: string;
  readonly credits: number;
  readonly note?: string;
}

/** Adds credits to a team's pool with one `grant` ledger row. */
export async function grantCredits({ ctx, input }: { ctx: Pick<ServiceContext, 'db'>; input: GrantCreditsInput }) {
  if (!Number.isInteger(input.credits) || input.credits <= 0) {
    throw new ApiError('invalid_request', 'credits must be a positive integer');
  }
  return ctx.db.transaction(async (tx) => {
    try {
      return await postLedgerEntry(tx, {
        teamId: input.teamId,
        kind: 'grant',
        balanceDelta: input.credits,
        reservedDelta: 0,
        note: input.note ?? 'grant',
      });
    } catch (error) {
      // The guarded update matches no row only when the team does not exist.
      if (error instanceof ApiError) throw new ApiError('not_found', `no team ${input.teamId}`);
      throw error;
    }
  });
}
