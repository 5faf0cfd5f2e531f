import { BillingOverview, CheckoutBody, CheckoutResponse, StripeWebhookAck } from '@lumina/shared';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from '../../errors.ts';
import { describeBilling } from '../../services/billing/describe-billing.ts';
import { receiveStripeWebhook } from '../../services/billing/receive-stripe-webhook.ts';
import { startCheckout } from '../../services/billing/start-checkout.ts';
import { apiRoute, apiRoutes, json, jsonBody } from '../api-route.ts';
import { authenticate, browserUserOf } from '../authenticate.ts';
import { errorResponse } from '../error-response.ts';

/** Stripe's events are a few kilobytes; anything much larger is not from Stripe. */
const maxWebhookBytes = 512 * 1024;

/**
 * The team's plan and credit packs (`GET /`), buying a pack (`POST /checkout`, owners and admins from the
 * dashboard) and Stripe's webhook (`POST /webhook`), which carries no session: its signature authenticates it,
 * and it is outside the per-key rate limits so Stripe's retries are never refused.
 */
export const billingRoutes = apiRoutes()
  .openapi(
    apiRoute(
      { tag: 'accounts', auth: 'api', errors: ['unauthorized', 'rate_limited', 'forbidden', 'not_found'] },
      {
        method: 'get',
        path: '/',
        operationId: 'billing',
        summary: "The active team's plan, balance, credit packs and checkouts",
        middleware: [authenticate],
        responses: { 200: json(BillingOverview, 'The billing overview.') },
      },
    ),
    async (c) => c.json(await describeBilling({ ctx: c.var.ctx, input: { teamId: c.var.principal.teamId } }), 200),
  )
  .openapi(
    apiRoute(
      {
        tag: 'accounts',
        auth: 'browser',
        errors: [
          'invalid_request',
          'billing_unavailable',
          'unavailable',
          'unauthorized',
          'forbidden',
          'csrf_rejected',
          'not_found',
          'rate_limited',
        ],
      },
      {
        method: 'post',
        path: '/checkout',
        operationId: 'startCheckout',
        summary: 'Start a Stripe Checkout for a credit pack (owners and admins)',
        middleware: [authenticate],
        request: {
          body: jsonBody(CheckoutBody, { pack: { summary: 'Buy a credit pack', value: { packId: 'studio' } } }),
        },
        responses: { 200: json(CheckoutResponse, 'Send the browser to `url`; credits arrive with the webhook.') },
      },
    ),
    async (c) => {
      const user = browserUserOf(c);
      const input = { userId: user.userId, teamId: user.teamId, packId: c.req.valid('json').packId };
      return c.json(await startCheckout({ ctx: c.var.ctx, input }), 200);
    },
  )
  .openapi(
    apiRoute(
      {
        tag: 'accounts',
        auth: 'none',
        errors: ['invalid_webhook_signature', 'billing_unavailable', 'invalid_request'],
      },
      {
        method: 'post',
        path: '/webhook',
        operationId: 'stripeWebhook',
        summary: "Stripe's webhook (verified by Stripe-Signature; not for clients)",
        middleware: [
          bodyLimit({
            maxSize: maxWebhookBytes,
            onError: (c) => errorResponse(c, new ApiError('invalid_request', 'The webhook body is too large.')),
          }),
        ],
        responses: { 200: json(StripeWebhookAck, 'Received.') },
      },
    ),
    async (c) => {
      // The signature covers the exact bytes Stripe sent, so the body is read raw, never parsed first.
      const rawBody = await c.req.text();
      const input = { rawBody, signature: c.req.header('stripe-signature') };
      return c.json(await receiveStripeWebhook({ ctx: c.var.ctx, input }), 200);
    },
  );
