/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { type BillingOverview, CheckoutBody, type MeResponse, upscaleScales } from '@lumina/shared';
import { type Context, Hono } from 'hono';
import type { Config } from '../config.ts';
import type { AppEnv } from '../http/env.ts';
import { describeBilling } from '../services/billing/describe-billing.ts';
import { startCheckout } from '../services/billing/start-checkout.ts';
import { upscaleCreditsPerBlock, upscalePricePixels, upscaleRelativeCost } from '../services/tasks/price-task.ts';
import { FormAlert, type FormRefusal, refusalOf } from './form-refusal.tsx';
import { Alert, activeTeamOf, canManage, Layout, Notice, Time } from './layout.tsx';
import { renderPage } from './render-page.ts';
import { meOf, signedIn, webUserOf } from './web-session.ts';

/** Amounts are in the currency's minor units; the server formats them so the page needs no script. */
export const formatMoney = (amount: number, currency: string): string =>
  new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() }).format(amount / 100);

/** The plan in a word, and what it means in a line. */
export function planOf(billing: BillingOverview): { name: string; detail: string } {
  if (!billing.enabled) return { name: 'Self-hosted', detail: 'Credits are granted by the operator.' };
  if (billing.plan === 'paid') return { name: 'Paid', detail: 'No watermark on results.' };
  return { name: 'Free', detail: `${billing.freeMonthlyCredits} credits a month, watermarked results.` };
}

export function PlanStat(props: { billing: BillingOverview }) {
  const plan = planOf(props.billing);
  return (
    <div class="card stat">
      <dt>Plan</dt>
      <dd data-testid="plan">{plan.name}</dd>
      <dd class="detail">{plan.detail}</dd>
    </div>
  );
}

/** "1 credit", "56 credits": a balance or a price always carries its unit. */
export const credits = (count: number): string => `${count} ${count === 1 ? 'credit' : 'credits'}`;

/** What a credit buys on this server, from the same price settings that charge for tasks. */
export function CreditPrices(props: { config: Pick<Config, 'prices' | 'gemini'> }) {
  const { prices } = props.config;
  const megapixels = (upscalePricePixels / 1e6).toFixed(1);
  return (
    <section aria-labelledby="prices">
      <h2 id="prices">What a credit buys</h2>
      <ul data-testid="prices">
        <li>
          Background removal: <strong>{credits(prices['remove-background'])}</strong> an image.
        </li>
        <li>
          Upscale ({upscaleScales.map((scale) => `${scale}×`).join(' or ')}):{' '}
          <strong>{credits(upscaleCreditsPerBlock(props.config, 'slim'))}</strong> per started {megapixels} megapixels
          of result with the fast model (a 2× upscale of a 2048 × 2048 image is one block); the medium model costs{' '}
          {upscaleRelativeCost.medium}× that, the thick one {upscaleRelativeCost.thick}×.
        </li>
        {props.config.gemini.apiKey !== undefined && (
          <li>
            Magic edit: <strong>{credits(prices['magic-edit'])}</strong> an edit.
          </li>
        )}
        <li>The same image with the same settings again, while its result is kept: free.</li>
      </ul>
    </section>
  );
}

const checkoutNotices: Record<string, string> = {
  success: 'Thank you! Your payment went through; the credits are in your balance as soon as Stripe confirms it.',
  canceled: 'The checkout was canceled; nothing was charged.',
};

function BillingPage(props: {
  me: MeResponse;
  billing: BillingOverview;
  config: Pick<Config, 'prices' | 'gemini'>;
  checkout: string | undefined;
  refusal?: FormRefusal | undefined;
}) {
  const { me, billing } = props;
  const team = activeTeamOf(me);
  const admin = canManage(team.role);
  const notice = props.checkout ? checkoutNotices[props.checkout] : undefined;
  return (
    <Layout title="Billing" me={me} path="/billing">
      <h1>Billing</h1>
      {notice && <Notice>{notice}</Notice>}
      <dl class="grid">
        <div class="card stat">
          <dt>Balance</dt>
          <dd>
            <span data-testid="balance">{billing.balance}</span>{' '}
            <span class="unit">{billing.balance === 1 ? 'credit' : 'credits'}</span>
          </dd>
        </div>
        <PlanStat billing={billing} />
      </dl>
      <CreditPrices config={props.config} />
      <h2>Buy credits</h2>
      <FormAlert refusal={props.refusal} form="checkout" />
      {!billing.enabled ? (
        <Alert>
          Billing is switched off on this server: there is nothing to buy here. The operator grants credits with the
          admin command line.
        </Alert>
      ) : (
        <>
          {!admin && <p>Only the team’s owners and admins can buy credits; you are a {team.role}.</p>}
          <div class="grid">
            {billing.packs.map((pack) => (
              <div class="card">
                <h3 style="margin-top: 0">{pack.name}</h3>
                <p>
                  <strong>{credits(pack.credits)}</strong> for{' '}
                  <strong>{formatMoney(pack.amount, pack.currency)}</strong>
                </p>
                {admin && (
                  <form method="post" action="/billing/checkout">
                    <input type="hidden" name="packId" value={pack.id} />
                    <button type="submit" aria-label={`Buy ${pack.name}`}>
                      Buy
                    </button>
                  </form>
                )}
              </div>
            ))}
          </div>
          {billing.plan === 'free' && (
            <p class="muted">
              Free teams get {billing.freeMonthlyCredits} credits each month and watermarked results; buying any pack
              removes the watermark, from past results too.
            </p>
          )}
        </>
      )}
      <h2>Purchases</h2>
      {billing.purchases.length === 0 ? (
        <p>No purchases yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Pack</th>
              <th scope="col" class="num">
                Credits
              </th>
              <th scope="col" class="num">
                Amount
              </th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {billing.purchases.map((purchase) => (
              <tr>
                <td>
                  <Time iso={purchase.paidAt ?? purchase.createdAt} />
                </td>
                <td>{billing.packs.find((p) => p.id === purchase.packId)?.name ?? purchase.packId}</td>
                <td class="num">{purchase.credits}</td>
                <td class="num">{formatMoney(purchase.amount, purchase.currency)}</td>
                <td>{purchase.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}

/**
 * `/billing`: the packs on sale with Buy buttons (owners and admins), which hand the browser to Stripe Checkout;
 * the purchase history; and the message Stripe's return to `?checkout=success` shows.
 */
async function billingView(c: Context<AppEnv>, refusal?: FormRefusal) {
  const user = webUserOf(c);
  const billing = await describeBilling({ ctx: c.var.ctx, input: { teamId: user.teamId } });
  const me = await meOf(c);
  const page = (
    <BillingPage
      me={me}
      billing={billing}
      config={c.var.ctx.config}
      checkout={c.req.query('checkout')}
      refusal={refusal}
    />
  );
  return renderPage(c, page, refusal?.status ?? 200);
}

export const billingPage = new Hono<AppEnv>()
  .get('/billing', signedIn, (c) => billingView(c))
  .post('/billing/checkout', signedIn, async (c) => {
    const user = webUserOf(c);
    const form = await c.req.parseBody();
    let url: string;
    try {
      const { packId } = CheckoutBody.parse({ packId: form.packId });
      const checkout = await startCheckout({
        ctx: c.var.ctx,
        input: { userId: user.userId, teamId: user.teamId, packId },
      });
      url = checkout.url;
    } catch (error) {
      return billingView(c, refusalOf(error, 'checkout', {}, { packId: 'Pick one of the packs below.' }));
    }
    return c.redirect(url, 303);
  });
