import type { StripeEventOutcome } from '@lumina/shared';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { VerifiedEvent } from '../../billing/index.ts';
import { checkouts, stripeEvents } from '../../db/schema.ts';
import type { ServiceContext } from '../context.ts';
import { postLedgerEntry } from './ledger.ts';

/** The fields of a Checkout Session that Lumina reads; the rest of Stripe's object is ignored. */
const CheckoutSessionObject = z.object({
  id: z.string().min(1),
  object: z.literal('checkout.session'),
  payment_status: z.string(),
  amount_total: z.number().int().nullable().optional(),
  currency: z.string().nullable().optional(),
});

/**
 * Applies one verified Stripe event, in one transaction with its idempotency row:
 * - an event id seen before changes nothing (Stripe redelivers, attackers replay);
 * - credits are granted only by `checkout.session.completed` with `payment_status: paid` and by
 *   `checkout.session.async_payment_succeeded`, as one `purchase` ledger row unique per Checkout Session, so
 *   any number of events for one session, in any order, grant exactly once;
 * - only sessions `startCheckout` recorded count, with the credits recorded there: an event's metadata is never
 *   read, and a paid amount or currency other than the one recorded is refused with an alert, not granted;
 * - `async_payment_failed` and `expired` mark an open checkout and never undo a paid one;
 * - other event types are recorded and ignored.
 * A failure rolls the idempotency row back too, so Stripe's retry gets another chance.
 */
export async function handleStripeEvent({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db' | 'log'>;
  input: { event: VerifiedEvent };
}): Promise<StripeEventOutcome> {
  const { event } = input;
  return ctx.db.transaction(async (tx) => {
    const [fresh] = await tx
      .insert(stripeEvents)
      .values({ id: event.id, type: event.type })
      .onConflictDoNothing()
      .returning({ id: stripeEvents.id });
    if (!fresh) return 'duplicate';

    const grants =
      event.type === 'checkout.session.completed' || event.type === 'checkout.session.async_payment_succeeded';
    const marks = event.type === 'checkout.session.async_payment_failed' || event.type === 'checkout.session.expired';
    if (!grants && !marks) return 'ignored';

    const parsed = CheckoutSessionObject.safeParse(event.data.object);
    if (!parsed.success) {
      ctx.log.warn('stripe event without a readable checkout session; ignored', {
        eventId: event.id,
        type: event.type,
      });
      return 'ignored';
    }
    const session = parsed.data;
    // The checkout row is written before its payment page is handed out, so a genuine session always has one.
    const [checkout] = await tx.select().from(checkouts).where(eq(checkouts.id, session.id)).for('update');
    if (!checkout) {
      ctx.log.error('stripe event for a checkout Lumina did not start; nothing granted', {
        alert: 'stripe_unknown_checkout',
        eventId: event.id,
        type: event.type,
        checkoutId: session.id,
      });
      return 'ignored';
    }

    if (marks) {
      if (checkout.status !== 'open') return 'ignored';
      const status = event.type === 'checkout.session.expired' ? 'expired' : 'failed';
      await tx.update(checkouts).set({ status }).where(eq(checkouts.id, checkout.id));
      return 'marked';
    }
    // `completed` with `unpaid` is a delayed method (bank debit) still pending: its grant comes with
    // `async_payment_succeeded`, which may even arrive first.
    if (event.type === 'checkout.session.completed' && session.payment_status !== 'paid') return 'ignored';
    if (checkout.status === 'paid') return 'already_granted';
    if (
      session.amount_total !== checkout.amount ||
      session.currency?.toLowerCase() !== checkout.currency.toLowerCase()
    ) {
      ctx.log.error('stripe reports another amount or currency than the checkout recorded; nothing granted', {
        alert: 'stripe_amount_mismatch',
        eventId: event.id,
        checkoutId: checkout.id,
        charged: session.amount_total ?? null,
        chargedCurrency: session.currency ?? null,
        expected: checkout.amount,
        expectedCurrency: checkout.currency,
      });
      return 'refused';
    }
    await postLedgerEntry(tx, {
      teamId: checkout.teamId,
      kind: 'purchase',
      balanceDelta: checkout.credits,
      reservedDelta: 0,
      checkoutId: checkout.id,
      note: `credit pack ${checkout.packId}`,
    });
    await tx.update(checkouts).set({ status: 'paid', paidAt: new Date() }).where(eq(checkouts.id, checkout.id));
    return 'granted';
  });
}
