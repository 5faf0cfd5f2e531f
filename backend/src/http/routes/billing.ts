import { CheckoutBody } from '@lumina/shared';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from '../../errors.ts';
import { describeBilling } from '../../services/describe-billing.ts';
import { receiveStripeWebhook } from '../../services/receive-stripe-webhook.ts';
import { startCheckout } from '../../services/start-checkout.ts';
import { authenticate, browserUserOf } from '../authenticate.ts';
import type { AppEnv } from '../env.ts';
import { errorResponse } from '../error-response.ts';

/** Stripe's events are a few kilobytes; anything much larger is not from Stripe. */
const maxWebhookBytes = 512 * 1024;

/**
 * The team's plan and credit packs (`GET /`), buying a pack (`POST /checkout`, owners and admins from the
 * dashboard) and Stripe's webhook (`POST /webhook`), which carries no session: its signature authenticates it,
 * and it is outside the per-key rate limits so Stripe's retries are never refused.
 */
export const billingRoutes = new Hono<AppEnv>()
  .get('/', authenticate, async (c) =>
    c.json(await describeBilling({ ctx: c.var.ctx, input: { teamId: c.var.principal.teamId } }), 200),
  )
  .post('/checkout', authenticate, async (c) => {
    const user = browserUserOf(c);
    const body = CheckoutBody.parse(await c.req.json().catch(() => undefined));
    const input = { userId: user.userId, teamId: user.teamId, packId: body.packId };
    return c.json(await startCheckout({ ctx: c.var.ctx, input }), 200);
  })
  .post(
    '/webhook',
    bodyLimit({
      maxSize: maxWebhookBytes,
      onError: (c) => errorResponse(c, new ApiError('invalid_request', 'The webhook body is too large.')),
    }),
    async (c) => {
      // The signature covers the exact bytes Stripe sent, so the body is read raw, never parsed first.
      const rawBody = await c.req.text();
      const input = { rawBody, signature: c.req.header('stripe-signature') };
      return c.json(await receiveStripeWebhook({ ctx: c.var.ctx, input }), 200);
    },
  );
