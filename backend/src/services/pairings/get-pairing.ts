import type { PairingView } from '@lumina/shared';
import type { ServiceContext } from '../context.ts';
import { findPairing } from './find-pairing.ts';
import { toPairingView } from './pairing-policy.ts';

/** What the approval page shows a signed-in person: which plugin asks, and whether it can still be approved. */
export async function getPairing({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db'>;
  input: { userCode: string };
}): Promise<PairingView> {
  return toPairingView(await findPairing(ctx.db, input.userCode));
}
