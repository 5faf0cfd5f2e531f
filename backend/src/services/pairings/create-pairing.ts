import type { CreatePairingBody, PairingCreated } from '@lumina/shared';
import { generateSessionToken, sessionIdOf } from '../../auth/session-token.ts';
import { generateUserCode } from '../../auth/user-code.ts';
import { isUniqueViolation } from '../../db/is-unique-violation.ts';
import { pairings } from '../../db/schema.ts';
import { newId } from '../../ids.ts';
import type { ServiceContext } from '../context.ts';
import { defaultPairingLabel, pairingLifetimeSeconds, pairingPollIntervalSeconds } from './pairing-policy.ts';

const codeAttempts = 5;

/**
 * A plugin asks to be signed in (RFC 8628's device authorization request). It gets a short code for the person,
 * the page to approve it on, and a poll secret that only it knows (stored hashed).
 */
export async function createPairing({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db' | 'config'>;
  input: CreatePairingBody;
}): Promise<PairingCreated> {
  const pollSecret = generateSessionToken();
  const id = newId('pair');
  const expiresAt = new Date(Date.now() + pairingLifetimeSeconds * 1000);
  for (let attempt = 1; ; attempt += 1) {
    const userCode = generateUserCode();
    try {
      await ctx.db.insert(pairings).values({
        id,
        userCode,
        pollSecretHash: sessionIdOf(pollSecret),
        client: input.client,
        label: input.label ?? defaultPairingLabel[input.client],
        expiresAt,
      });
    } catch (error) {
      // 20⁸ codes make a clash rare; a clash just draws another code.
      if (attempt < codeAttempts && isUniqueViolation(error, 'pairings_user_code_key')) continue;
      throw error;
    }
    const verificationUri = `${ctx.config.publicBaseUrl}/pair`;
    return {
      pairingId: id,
      userCode,
      verificationUri,
      verificationUriComplete: `${verificationUri}?code=${userCode}`,
      pollSecret,
      expiresIn: pairingLifetimeSeconds,
      interval: pairingPollIntervalSeconds,
    };
  }
}
