import type { StripeWebhookAck } from '@lumina/shared';
import { ApiError } from '../errors.ts';
import type { ServiceContext } from './context.ts';
import { handleStripeEvent } from './handle-stripe-event.ts';

/**
 * `POST /api/v1/billing/webhook`: verifies the `Stripe-Signature` over the raw body with the Stripe library
 * and applies the event. No session or key is involved: the signature is the authentication.
 */
export async function receiveStripeWebhook({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db' | 'log' | 'payments'>;
  input: { rawBody: string; signature: string | undefined };
}): Promise<StripeWebhookAck> {
  if (ctx.payments === undefined) {
    throw new ApiError('billing_unavailable', 'Billing is not configured on this server.');
  }
  const event = await ctx.payments.verifyWebhook(input.rawBody, input.signature);
  if (!event) {
    throw new ApiError('invalid_webhook_signature', 'The Stripe-Signature header is missing, invalid or too old.');
  }
  return { received: true, outcome: await handleStripeEvent({ ctx, input: { event } }) };
}
