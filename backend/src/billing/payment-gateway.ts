import { z } from 'zod';

/** A Stripe event after its signature was verified: only the envelope is trusted here; `object` is parsed later. */
export const VerifiedEvent = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  data: z.object({ object: z.unknown() }),
});
export type VerifiedEvent = z.infer<typeof VerifiedEvent>;

export interface CheckoutSessionRequest {
  readonly teamId: string;
  readonly packId: string;
  readonly packName: string;
  readonly credits: number;
  /** Minor units (cents). */
  readonly amount: number;
  readonly currency: string;
  readonly successUrl: string;
  readonly cancelUrl: string;
}

/**
 * What Lumina needs from a payment provider: start a hosted checkout for a one-time payment, and tell a genuine
 * webhook from a forged one. Stripe is the one implementation (`createStripeGateway`); tests run it against a
 * local stand-in of Stripe's HTTP API.
 */
export interface PaymentGateway {
  createCheckoutSession(request: CheckoutSessionRequest): Promise<{ id: string; url: string }>;
  /** The event when `signature` is valid for `rawBody`, or null when it is missing, wrong, too old or too new. */
  verifyWebhook(rawBody: string, signature: string | undefined): Promise<VerifiedEvent | null>;
}
