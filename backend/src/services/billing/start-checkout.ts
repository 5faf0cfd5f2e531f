import type { CheckoutResponse } from '@lumina/shared';
import { checkouts } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import type { ServiceContext } from '../context.ts';
import { requireTeamRole } from '../teams/team-access.ts';

/**
 * Starts a Stripe Checkout for one credit pack; owners and admins only. Nothing is granted here: the credits
 * arrive with the verified webhook. The checkout is recorded (status `open`) before its URL is handed out, so
 * every event about it finds the team, pack and credits Lumina sold, not what the event claims; an event about a
 * session without its row grants nothing.
 */
export async function startCheckout({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db' | 'config' | 'payments'>;
  input: { userId: string; teamId: string; packId: string };
}): Promise<CheckoutResponse> {
  const payments = ctx.payments;
  if (payments === undefined) {
    throw new ApiError(
      'billing_unavailable',
      'Billing is not configured on this server; ask its operator for credits.',
    );
  }
  await requireTeamRole(ctx.db, input, 'admin');
  const pack = ctx.config.billing.packs.find((p) => p.id === input.packId);
  if (!pack) {
    throw new ApiError('invalid_request', `No credit pack ${input.packId}.`, {
      packs: ctx.config.billing.packs.map((p) => p.id),
    });
  }
  const base = ctx.config.publicBaseUrl;
  const session = await payments.createCheckoutSession({
    teamId: input.teamId,
    packId: pack.id,
    packName: pack.name,
    credits: pack.credits,
    amount: pack.amount,
    currency: pack.currency,
    successUrl: `${base}/billing?checkout=success`,
    cancelUrl: `${base}/billing?checkout=canceled`,
  });
  await ctx.db.insert(checkouts).values({
    id: session.id,
    teamId: input.teamId,
    createdByUserId: input.userId,
    packId: pack.id,
    credits: pack.credits,
    amount: pack.amount,
    currency: pack.currency,
  });
  return { url: session.url, checkoutId: session.id };
}
