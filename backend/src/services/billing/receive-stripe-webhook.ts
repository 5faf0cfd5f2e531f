import { errorFields } from '@lumina/runtime';
import type { StripeWebhookAck } from '@lumina/shared';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { checkouts } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import type { ServiceContext } from '../context.ts';
import { forgetWatermarkedCopies } from '../tasks/forget-watermarked-copies.ts';
import { handleStripeEvent } from './handle-stripe-event.ts';

/**
 * `POST /api/v1/billing/webhook`: verifies the `Stripe-Signature` over the raw body with the Stripe library
 * and applies the event. No session or key is involved: the signature is the authentication. A grant makes the
 * team paid, so the watermarked copies kept for its results are deleted after the grant is committed.
 */
export async function receiveStripeWebhook({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db' | 'log' | 'payments' | 'store'>;
  input: { rawBody: string; signature: string | undefined };
}): Promise<StripeWebhookAck> {
  if (ctx.payments === undefined) {
    throw new ApiError('billing_unavailable', 'Billing is not configured on this server.');
  }
  const event = await ctx.payments.verifyWebhook(input.rawBody, input.signature);
  if (!event) {
    throw new ApiError('invalid_webhook_signature', 'The Stripe-Signature header is missing, invalid or too old.');
  }
  const outcome = await handleStripeEvent({ ctx, input: { event } });
  if (outcome === 'granted') await forgetCopiesOfBuyer(ctx, event.data.object);
  return { received: true, outcome };
}

/** Best effort: a copy left behind is never served to a paid team, and the retention job deletes it. */
async function forgetCopiesOfBuyer(ctx: Pick<ServiceContext, 'db' | 'log' | 'store'>, object: unknown) {
  const session = z.object({ id: z.string().min(1) }).safeParse(object);
  if (!session.success) return;
  try {
    const [checkout] = await ctx.db
      .select({ teamId: checkouts.teamId })
      .from(checkouts)
      .where(eq(checkouts.id, session.data.id));
    if (checkout) await forgetWatermarkedCopies({ ctx, input: { teamId: checkout.teamId } });
  } catch (error) {
    ctx.log.warn('could not delete the watermarked copies of a team that bought credits', {
      checkoutId: session.data.id,
      ...errorFields(error),
    });
  }
}
