import { teams } from '../../db/schema.ts';
import { newId } from '../../ids.ts';
import { createApiKey } from '../accounts/create-api-key.ts';
import { postLedgerEntry } from '../billing/ledger.ts';
import type { ServiceContext } from '../context.ts';

export interface CreateTeamInput {
  readonly name: string;
  readonly credits: number;
}

/** Creates a team with an initial grant and its first API key; the key's secret is returned only here. */
export async function createTeam({ ctx, input }: { ctx: Pick<ServiceContext, 'db'>; input: CreateTeamInput }) {
  const teamId = newId('team');
  const apiKey = await ctx.db.transaction(async (tx) => {
    await tx.insert(teams).values({ id: teamId, name: input.name });
    if (input.credits > 0) {
      await postLedgerEntry(tx, {
        teamId,
        kind: 'grant',
        balanceDelta: input.credits,
        reservedDelta: 0,
        note: 'initial grant',
      });
    }
    return createApiKey(tx, { teamId, name: 'default' });
  });
  return { teamId, apiKey: apiKey.secret, apiKeyId: apiKey.id };
}
