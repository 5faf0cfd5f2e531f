import type { StripeEventOutcome } from '@lumina/shared';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { VerifiedEvent } from '../billing/index.ts';
import type { Tx } from '../db/database.ts';
import { checkouts, stripeEvents, teams } from '../db/schema.ts';
import type { ServiceContext } from './context.ts';
import { postLedgerEntry } from './ledger.ts';

/** The fields of a Checkout Session that Lumina reads; the rest of Stripe's object is ignored. */
const CheckoutSessionObject = z.object({
  id: z.string().min(1),
  object: z.literal('checkout.session'),
  payment_status: z.string(),
  amount_total: z.number().int().nullable().optional(),
  currency: z.string().nullable().optional(),
  metadata: z.record(z.string(), z.string()).nullable().optional(),
});
type CheckoutSessionObject = z.infer<typeof CheckoutSessionObject>;

/** Written by `startCheckout`, read back only when an event arrives before its checkout row. */
const CheckoutMetadata = z.object({
  teamId: z.string().min(1),
  packId: z.string().min(1),
  credits: z.coerce.number().int().positive(),
});

/**
 * Applies one verified Stripe event, in one transaction with its idempotency row:
 * - an event id seen before changes nothing (Stripe redelivers, attackers replay);
 * - credits are granted only by `checkout.session.completed` with `payment_status: paid` and by
 *   `checkout.session.async_payment_succeeded`, as one `purchase` ledger row unique per Checkout Session, so
 *   any number of events for one session, in any order, grant exactly once;
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
    const checkout = await lockCheckout(tx, session);
    if (!checkout) {
      ctx.log.warn('stripe event for a checkout Lumina did not start; ignored', {
        eventId: event.id,
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
    if (session.amount_total != null && session.amount_total !== checkout.amount) {
      ctx.log.warn('stripe charged another amount than the pack costs', {
        checkoutId: checkout.id,
        charged: session.amount_total,
        expected: checkout.amount,
      });
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

/**
 * The checkout row, locked for this transaction so concurrent events for one session run one after another.
 * When the event outran `startCheckout`'s insert, the row is made from the session's metadata, if the team
 * named there exists.
 */
async function lockCheckout(tx: Tx, session: CheckoutSessionObject) {
  const select = () => tx.select().from(checkouts).where(eq(checkouts.id, session.id)).for('update');
  const [existing] = await select();
  if (existing) return existing;
  const metadata = CheckoutMetadata.safeParse(session.metadata ?? {});
  if (!metadata.success || session.amount_total == null || !session.currency) return undefined;
  const [team] = await tx.select({ id: teams.id }).from(teams).where(eq(teams.id, metadata.data.teamId));
  if (!team) return undefined;
  await tx
    .insert(checkouts)
    .values({
      id: session.id,
      teamId: team.id,
      packId: metadata.data.packId,
      credits: metadata.data.credits,
      amount: session.amount_total,
      currency: session.currency,
    })
    .onConflictDoNothing();
  const [created] = await select();
  return created;
}
