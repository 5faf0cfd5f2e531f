import { BillingOverview, CheckoutResponse, InviteCreated, TeamView } from '@lumina/shared';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { checkouts, creditLedger, stripeEvents } from '../src/db/schema.ts';
import { grantCredits } from '../src/services/billing/grant-credits.ts';
import { type Browser, dashboardJson, errorCodeOf, signUpBrowser } from './support/accounts.ts';
import { startTestBackend, type TestBackend } from './support/harness.ts';
import {
  type StandInSession,
  type StripeStandIn,
  startStripeStandIn,
  withPaymentStatus,
} from './support/stripe-stand-in.ts';

let stripe: StripeStandIn;
let t: TestBackend;

beforeAll(async () => {
  stripe = await startStripeStandIn();
  // No free allowance here, so every balance below is exactly what purchases granted.
  t = await startTestBackend({ ...stripe.env, FREE_MONTHLY_CREDITS: '0' }, { background: false });
  stripe.webhookTarget = t.request;
});
afterAll(async () => {
  await t?.close();
  await stripe?.close();
});

const checkout = (browser: Browser, packId: string, teamId = browser.personalTeamId) =>
  t.request('/api/v1/billing/checkout', dashboardJson(browser, 'POST', { packId }, { 'lumina-team': teamId }));

/** Starts a checkout for the starter pack (100 credits, 5.00 USD by default) and returns the stand-in's session. */
async function startedCheckout(browser: Browser): Promise<StandInSession> {
  const res = await checkout(browser, 'starter');
  expect(res.status).toBe(200);
  return stripe.session(CheckoutResponse.parse(await res.json()).checkoutId);
}

const purchases = async (teamId: string) =>
  t.backend.ctx.db
    .select()
    .from(creditLedger)
    .where(and(eq(creditLedger.teamId, teamId), eq(creditLedger.kind, 'purchase')));

const checkoutStatus = async (id: string) =>
  (await t.backend.ctx.db.select().from(checkouts).where(eq(checkouts.id, id)))[0]?.status;

const overview = async (browser: Browser) => {
  const res = await t.request('/api/v1/billing', { headers: browser.headers() });
  expect(res.status).toBe(200);
  return BillingOverview.parse(await res.json());
};

describe('Stripe checkout', () => {
  it('creates a Checkout Session with the pack amount and team metadata, and returns its URL', async () => {
    const owner = await signUpBrowser(t, 'Olga');
    const res = await checkout(owner, 'studio');
    expect(res.status).toBe(200);
    const body = CheckoutResponse.parse(await res.json());
    expect(body.url).toBe(`${stripe.url}/pay/${body.checkoutId}`);

    const sent = stripe.requests.find(
      (r) => r.path === '/v1/checkout/sessions' && r.form['metadata[teamId]'] === owner.personalTeamId,
    );
    expect(sent?.method).toBe('POST');
    expect(sent?.form).toMatchObject({
      mode: 'payment',
      'line_items[0][quantity]': '1',
      'line_items[0][price_data][currency]': 'usd',
      'line_items[0][price_data][unit_amount]': '2000',
      client_reference_id: owner.personalTeamId,
      'metadata[teamId]': owner.personalTeamId,
      'metadata[packId]': 'studio',
      'metadata[credits]': '500',
      success_url: 'http://lumina.test/billing?checkout=success',
      cancel_url: 'http://lumina.test/billing?checkout=canceled',
    });
    expect(stripe.session(body.checkoutId).amount_total).toBe(2000);

    const view = await overview(owner);
    expect(view).toMatchObject({ enabled: true, plan: 'free', balance: 0 });
    expect(view.packs.map((p) => p.id)).toEqual(['starter', 'studio', 'agency']);
    expect(view.purchases).toEqual([
      expect.objectContaining({ checkoutId: body.checkoutId, packId: 'studio', credits: 500, status: 'open' }),
    ]);
    // Starting a checkout grants nothing.
    expect(await purchases(owner.personalTeamId)).toHaveLength(0);
  });

  it('refuses an unknown pack', async () => {
    const owner = await signUpBrowser(t);
    const res = await checkout(owner, 'platinum');
    expect(res.status).toBe(400);
    expect(await errorCodeOf(res)).toBe('invalid_request');
  });

  it('lets only owners and admins start a checkout: a member gets 403', async () => {
    const owner = await signUpBrowser(t, 'Owen');
    const member = await signUpBrowser(t, 'Mia');
    const created = await t.request('/api/v1/teams', dashboardJson(owner, 'POST', { name: 'Studio' }));
    const teamId = TeamView.parse(await created.json()).id;
    const inviteRes = await t.request(`/api/v1/teams/${teamId}/invites`, dashboardJson(owner, 'POST', {}));
    const token = new URL(InviteCreated.parse(await inviteRes.json()).link).searchParams.get('token');
    expect((await t.request('/api/v1/invites/accept', dashboardJson(member, 'POST', { token }))).status).toBe(200);

    const before = stripe.requests.length;
    const refused = await checkout(member, 'starter', teamId);
    expect(refused.status).toBe(403);
    expect(await errorCodeOf(refused)).toBe('forbidden');
    expect(stripe.requests.length).toBe(before);
    // The member may still look at the team's billing.
    const view = await t.request('/api/v1/billing', { headers: member.headers({ 'lumina-team': teamId }) });
    expect(view.status).toBe(200);
    expect((await checkout(owner, 'starter', teamId)).status).toBe(200);
  });

  it('completes a purchase through the hosted payment page: the webhook grants the pack', async () => {
    const owner = await signUpBrowser(t);
    const session = await startedCheckout(owner);
    const page = await fetch(session.url ?? '');
    expect(await page.text()).toContain('<button type="submit">Pay</button>');
    const paid = await fetch(session.url ?? '', { method: 'POST', redirect: 'manual' });
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe('http://lumina.test/billing?checkout=success');

    expect(await t.team(owner.personalTeamId)).toEqual({ balance: 100, reserved: 0 });
    expect(await checkoutStatus(session.id)).toBe('paid');
    const view = await overview(owner);
    expect(view.plan).toBe('paid');
    expect(view.purchases[0]).toMatchObject({ checkoutId: session.id, status: 'paid' });
    expect(view.purchases[0]?.paidAt).not.toBeNull();
  });
});

describe('the Stripe webhook', () => {
  it('grants a paid checkout once; replaying the same event grants nothing', async () => {
    const owner = await signUpBrowser(t);
    const session = withPaymentStatus(await startedCheckout(owner), 'paid');
    const event = stripe.signedEvent('checkout.session.completed', session);
    const first = await stripe.send(t.request, event);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: true, outcome: 'granted' });

    for (let i = 0; i < 3; i += 1) {
      const replay = await stripe.send(t.request, event);
      expect(replay.status).toBe(200);
      expect(await replay.json()).toEqual({ received: true, outcome: 'duplicate' });
    }
    expect(await t.team(owner.personalTeamId)).toEqual({ balance: 100, reserved: 0 });
    const rows = await purchases(owner.personalTeamId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ checkoutId: session.id, balanceDelta: 100, reservedDelta: 0 });
  });

  it('grants nothing for a second event with another id about the same session, even delivered at once', async () => {
    const owner = await signUpBrowser(t);
    const session = withPaymentStatus(await startedCheckout(owner), 'paid');
    const answers = await Promise.all([
      stripe.deliver(t.request, 'checkout.session.completed', session),
      stripe.deliver(t.request, 'checkout.session.completed', session),
      stripe.deliver(t.request, 'checkout.session.async_payment_succeeded', session),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const outcomes = await Promise.all(answers.map(async (a) => ((await a.json()) as { outcome: string }).outcome));
    expect(outcomes.filter((o) => o === 'granted')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'already_granted')).toHaveLength(2);
    expect(await t.team(owner.personalTeamId)).toEqual({ balance: 100, reserved: 0 });
    expect(await purchases(owner.personalTeamId)).toHaveLength(1);
  });

  it('grants a delayed payment once when async_payment_succeeded follows completed/unpaid', async () => {
    const owner = await signUpBrowser(t);
    const session = await startedCheckout(owner);
    const pending = await stripe.deliver(t.request, 'checkout.session.completed', withPaymentStatus(session, 'unpaid'));
    expect(pending.status).toBe(200);
    expect(await t.team(owner.personalTeamId)).toEqual({ balance: 0, reserved: 0 });
    expect(await checkoutStatus(session.id)).toBe('open');

    const succeeded = withPaymentStatus(session, 'paid');
    await stripe.deliver(t.request, 'checkout.session.async_payment_succeeded', succeeded);
    await stripe.deliver(t.request, 'checkout.session.async_payment_succeeded', succeeded);
    expect(await t.team(owner.personalTeamId)).toEqual({ balance: 100, reserved: 0 });
    expect(await purchases(owner.personalTeamId)).toHaveLength(1);
  });

  it('grants once when async_payment_succeeded arrives before completed/unpaid', async () => {
    const owner = await signUpBrowser(t);
    const session = await startedCheckout(owner);
    await stripe.deliver(t.request, 'checkout.session.async_payment_succeeded', withPaymentStatus(session, 'paid'));
    await stripe.deliver(t.request, 'checkout.session.completed', withPaymentStatus(session, 'unpaid'));
    await stripe.deliver(t.request, 'checkout.session.completed', withPaymentStatus(session, 'paid'));
    expect(await t.team(owner.personalTeamId)).toEqual({ balance: 100, reserved: 0 });
    expect(await purchases(owner.personalTeamId)).toHaveLength(1);
    expect(await checkoutStatus(session.id)).toBe('paid');
  });

  it('marks failed and expired checkouts without granting, and never un-pays a paid one', async () => {
    const owner = await signUpBrowser(t);
    const failing = await startedCheckout(owner);
    await stripe.deliver(t.request, 'checkout.session.async_payment_failed', withPaymentStatus(failing, 'unpaid'));
    expect(await checkoutStatus(failing.id)).toBe('failed');
    const abandoned = await startedCheckout(owner);
    await stripe.deliver(t.request, 'checkout.session.expired', withPaymentStatus(abandoned, 'unpaid', 'expired'));
    expect(await checkoutStatus(abandoned.id)).toBe('expired');
    expect(await t.team(owner.personalTeamId)).toEqual({ balance: 0, reserved: 0 });

    const paid = withPaymentStatus(await startedCheckout(owner), 'paid');
    await stripe.deliver(t.request, 'checkout.session.completed', paid);
    await stripe.deliver(t.request, 'checkout.session.expired', paid);
    expect(await checkoutStatus(paid.id)).toBe('paid');
    expect(await t.team(owner.personalTeamId)).toEqual({ balance: 100, reserved: 0 });
  });

  it('answers 200 to event types it does not handle, and changes nothing', async () => {
    const owner = await signUpBrowser(t);
    const session = withPaymentStatus(await startedCheckout(owner), 'paid');
    const res = await stripe.deliver(t.request, 'payment_intent.created', session);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, outcome: 'ignored' });
    expect(await t.team(owner.personalTeamId)).toEqual({ balance: 0, reserved: 0 });
  });

  it('refuses a bad, foreign or missing signature with 400 and grants nothing', async () => {
    const owner = await signUpBrowser(t);
    const session = withPaymentStatus(await startedCheckout(owner), 'paid');

    const foreign = stripe.signedEvent('checkout.session.completed', session, { secret: 'whsec_someone_else' });
    const tampered = stripe.signedEvent('checkout.session.completed', session);
    const stale = stripe.signedEvent('checkout.session.completed', session, {
      timestamp: Math.floor(Date.now() / 1000) - 3600,
    });
    const forged = tampered.payload.replace('"credits":"100"', '"credits":"9999"');
    expect(forged).not.toBe(tampered.payload);
    const attempts = [
      stripe.send(t.request, foreign),
      stripe.send(t.request, { ...tampered, payload: forged }),
      stripe.send(t.request, stale),
      t.request('/api/v1/billing/webhook', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: tampered.payload,
      }),
      t.request('/api/v1/billing/webhook', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' },
        body: tampered.payload,
      }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(400);
      expect(await errorCodeOf(res)).toBe('invalid_webhook_signature');
    }
    expect(await t.team(owner.personalTeamId)).toEqual({ balance: 0, reserved: 0 });
    expect(await purchases(owner.personalTeamId)).toHaveLength(0);
    const seen = await t.backend.ctx.db.select().from(stripeEvents).where(eq(stripeEvents.id, tampered.eventId));
    expect(seen).toHaveLength(0);
    // The genuine event still grants afterwards: a refused forgery used up nothing.
    expect((await stripe.send(t.request, tampered)).status).toBe(200);
    expect(await t.team(owner.personalTeamId)).toEqual({ balance: 100, reserved: 0 });
  });
});

describe('without Stripe keys', () => {
  it('switches billing off with 501 billing_unavailable, and the admin grant still adds credits', async () => {
    const off = await startTestBackend({}, { background: false });
    try {
      const owner = await signUpBrowser(off);
      const start = await off.request('/api/v1/billing/checkout', dashboardJson(owner, 'POST', { packId: 'starter' }));
      expect(start.status).toBe(501);
      expect(await errorCodeOf(start)).toBe('billing_unavailable');
      const session = withPaymentStatus(await startedCheckout(await signUpBrowser(t)), 'paid');
      const hook = await stripe.deliver(off.request, 'checkout.session.completed', session);
      expect(hook.status).toBe(501);
      expect(await errorCodeOf(hook)).toBe('billing_unavailable');

      const view = await off.request('/api/v1/billing', { headers: owner.headers() });
      expect(view.status).toBe(200);
      expect(BillingOverview.parse(await view.json())).toMatchObject({ enabled: false, balance: 0 });

      await grantCredits({ ctx: off.backend.ctx, input: { teamId: owner.personalTeamId, credits: 25 } });
      expect(await off.team(owner.personalTeamId)).toEqual({ balance: 25, reserved: 0 });
      expect((await off.ledger(owner.personalTeamId)).map((row) => row.kind)).toEqual(['grant']);
    } finally {
      await off.close();
    }
  });
});

describe('billing configuration', () => {
  it('reads credit packs from CREDIT_PACKS and refuses half a Stripe configuration by name', () => {
    const packs = JSON.stringify([{ id: 'mini', name: 'Mini', credits: 20, amount: 199, currency: 'EUR' }]);
    const config = loadConfig({ STRIPE_SECRET_KEY: 'sk_x', STRIPE_WEBHOOK_SECRET: 'whsec_x', CREDIT_PACKS: packs });
    expect(config.billing.packs).toEqual([{ id: 'mini', name: 'Mini', credits: 20, amount: 199, currency: 'eur' }]);
    expect(config.billing.stripe).toEqual({
      secretKey: 'sk_x',
      webhookSecret: 'whsec_x',
      apiUrl: undefined,
      webhookToleranceSeconds: 300,
    });
    expect(loadConfig({ STRIPE_SECRET_KEY: '', STRIPE_WEBHOOK_SECRET: '' }).billing.stripe).toBeUndefined();
    expect(() => loadConfig({ STRIPE_SECRET_KEY: 'sk_x' })).toThrow(/STRIPE_WEBHOOK_SECRET/);
    expect(() => loadConfig({ CREDIT_PACKS: 'not json' })).toThrow(ConfigError);
    expect(() =>
      loadConfig({ CREDIT_PACKS: '[{"id":"x","name":"X","credits":0,"amount":1,"currency":"usd"}]' }),
    ).toThrow(/CREDIT_PACKS/);
  });
});
