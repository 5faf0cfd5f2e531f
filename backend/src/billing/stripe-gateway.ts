import Stripe from 'stripe';
import { ApiError } from '../errors.ts';
import type { PaymentGateway } from './payment-gateway.ts';
import { VerifiedEvent } from './payment-gateway.ts';

export interface StripeGatewayOptions {
  readonly secretKey: string;
  readonly webhookSecret: string;
  /** Stripe's API address; undefined means the library's default (api.stripe.com). */
  readonly apiUrl: string | undefined;
  /** How far a signature's timestamp may be from our clock, either way. */
  readonly webhookToleranceSeconds: number;
}

/**
 * The `t=` of a `Stripe-Signature` header, or undefined. The library refuses signatures older than its tolerance
 * but not ones from the future, which a leaked signing secret could mint to stay valid for years.
 */
const signedAtSeconds = (signature: string): number | undefined => {
  const match = signature.match(/(?:^|,)\s*t=(\d{1,12})\s*(?:,|$)/);
  return match?.[1] === undefined ? undefined : Number(match[1]);
};

/** Stripe Checkout in `payment` mode with inline `price_data`, so packs need no Products set up in Stripe. */
export function createStripeGateway(options: StripeGatewayOptions): PaymentGateway {
  const api = options.apiUrl === undefined ? undefined : new URL(options.apiUrl);
  const stripe = new Stripe(options.secretKey, {
    ...(api === undefined
      ? {}
      : {
          host: api.hostname,
          port: api.port || (api.protocol === 'https:' ? 443 : 80),
          protocol: api.protocol === 'http:' ? 'http' : 'https',
        }),
    maxNetworkRetries: 2,
    timeout: 20_000,
    appInfo: { name: 'Lumina AI Studio' },
  });

  return {
    async createCheckoutSession(request) {
      let session: Stripe.Checkout.Session;
      try {
        session = await stripe.checkout.sessions.create({
          mode: 'payment',
          line_items: [
            {
              quantity: 1,
              price_data: {
                currency: request.currency,
                unit_amount: request.amount,
                product_data: { name: `${request.packName}: ${request.credits} credits` },
              },
            },
          ],
          client_reference_id: request.teamId,
          metadata: { teamId: request.teamId, packId: request.packId, credits: String(request.credits) },
          success_url: request.successUrl,
          cancel_url: request.cancelUrl,
        });
      } catch (error) {
        throw new ApiError('unavailable', 'Stripe could not start the checkout; try again in a moment.', {
          cause: error instanceof Error ? error.message : String(error),
        });
      }
      if (!session.url) throw new ApiError('unavailable', 'Stripe started the checkout without a payment page URL.');
      return { id: session.id, url: session.url };
    },

    async verifyWebhook(rawBody, signature) {
      if (!signature) return null;
      const signedAt = signedAtSeconds(signature);
      if (signedAt === undefined || signedAt > Date.now() / 1000 + options.webhookToleranceSeconds) return null;
      let event: unknown;
      try {
        event = await stripe.webhooks.constructEventAsync(
          rawBody,
          signature,
          options.webhookSecret,
          options.webhookToleranceSeconds,
        );
      } catch (error) {
        if (error instanceof Stripe.errors.StripeSignatureVerificationError) return null;
        throw error;
      }
      const parsed = VerifiedEvent.safeParse(event);
      return parsed.success ? parsed.data : null;
    },
  };
}
