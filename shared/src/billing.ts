import * as z from 'zod';
import { TeamRole } from './accounts.ts';

/** A credit pack sold through Stripe Checkout: `amount` is in the currency's minor units (cents). */
export const CreditPack = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/),
  name: z.string().min(1).max(100),
  credits: z.int().positive(),
  amount: z.int().positive(),
  currency: z
    .string()
    .regex(/^[a-zA-Z]{3}$/)
    .transform((c) => c.toLowerCase()),
});
export type CreditPack = z.infer<typeof CreditPack>;

/** `paid` once the team has bought any pack; `free` teams get a monthly allowance and watermarked results. */
export const BillingPlan = z.enum(['free', 'paid']);
export type BillingPlan = z.infer<typeof BillingPlan>;

export const CheckoutStatus = z.enum(['open', 'paid', 'failed', 'expired']);
export type CheckoutStatus = z.infer<typeof CheckoutStatus>;

/** One Stripe Checkout the team started, newest first in `BillingOverview.purchases`. */
export const PurchaseView = z.strictObject({
  checkoutId: z.string(),
  packId: z.string(),
  credits: z.int(),
  amount: z.int(),
  currency: z.string(),
  status: CheckoutStatus,
  createdAt: z.iso.datetime(),
  paidAt: z.iso.datetime().nullable(),
});
export type PurchaseView = z.infer<typeof PurchaseView>;

/** `GET /api/v1/billing`: the active team's plan, pool and the packs on sale. */
export const BillingOverview = z.strictObject({
  /** False when the server has no Stripe keys: packs cannot be bought, credits come from the admin CLI. */
  enabled: z.boolean(),
  plan: BillingPlan,
  balance: z.int(),
  reserved: z.int(),
  packs: z.array(CreditPack),
  freeMonthlyCredits: z.int(),
  purchases: z.array(PurchaseView),
});
export type BillingOverview = z.infer<typeof BillingOverview>;

/** `POST /api/v1/billing/checkout`. */
export const CheckoutBody = z.strictObject({ packId: z.string().min(1).max(64) });
export type CheckoutBody = z.infer<typeof CheckoutBody>;

/** Send the browser to `url` (Stripe's hosted page); credits arrive with the webhook, never with this answer. */
export const CheckoutResponse = z.strictObject({ url: z.url(), checkoutId: z.string() });
export type CheckoutResponse = z.infer<typeof CheckoutResponse>;

/** `PATCH /api/v1/teams/:teamId/members/:userId`: a new role, a monthly spending cap (null removes it), or both. */
export const UpdateMemberBody = z
  .strictObject({
    role: TeamRole.optional(),
    monthlySpendCap: z.int().nonnegative().max(1_000_000_000).nullable().optional(),
  })
  .refine((body) => body.role !== undefined || body.monthlySpendCap !== undefined, {
    message: 'send role, monthlySpendCap or both',
  });
export type UpdateMemberBody = z.infer<typeof UpdateMemberBody>;

/** The answer to a member update. */
export const MemberUpdate = z.strictObject({
  userId: z.string(),
  role: TeamRole,
  monthlySpendCap: z.int().nullable(),
});
export type MemberUpdate = z.infer<typeof MemberUpdate>;

/**
 * What the webhook did with an event; Stripe only looks at the 2xx, the outcome is for logs and tests. `refused`:
 * a paid session whose amount or currency differs from its recorded checkout (logged as an alert).
 */
export const StripeEventOutcome = z.enum(['granted', 'already_granted', 'marked', 'duplicate', 'ignored', 'refused']);
export type StripeEventOutcome = z.infer<typeof StripeEventOutcome>;

/** `POST /api/v1/billing/webhook` → 200. */
export const StripeWebhookAck = z.strictObject({ received: z.literal(true), outcome: StripeEventOutcome });
export type StripeWebhookAck = z.infer<typeof StripeWebhookAck>;
