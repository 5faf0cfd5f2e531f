import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

/** The webhook signing secret and API key the stand-in and the backend under test share. */
export const standInWebhookSecret = `whsec_test_${randomBytes(12).toString('hex')}`;
export const standInSecretKey = `sk_test_${randomBytes(12).toString('hex')}`;

/** A Checkout Session as the stand-in keeps it: the fields of Stripe's object that Lumina reads, and a few more. */
export interface StandInSession {
  id: string;
  object: 'checkout.session';
  mode: 'payment';
  status: 'open' | 'complete' | 'expired';
  payment_status: 'unpaid' | 'paid' | 'no_payment_required';
  amount_total: number;
  amount_subtotal: number;
  currency: string;
  client_reference_id: string | null;
  metadata: Record<string, string>;
  success_url: string;
  cancel_url: string | null;
  url: string | null;
  created: number;
  expires_at: number;
  livemode: false;
  payment_intent: string | null;
  customer: null;
}

/** One API call the backend made, with its form body decoded the way Stripe's server reads it. */
export interface StandInRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string | string[] | undefined>;
  /** The raw `application/x-www-form-urlencoded` body. */
  readonly body: string;
  /** Bracketed keys kept flat, as sent: `line_items[0][price_data][unit_amount]` → '500'. */
  readonly form: Record<string, string>;
}

/** What a webhook target is: the backend's URL, or its in-process `request` (Hono's `app.request`). */
export type BackendRequest = (path: string, init?: RequestInit) => Promise<Response>;

export interface SignedEvent {
  readonly eventId: string;
  readonly payload: string;
  readonly headers: Record<string, string>;
}

export interface StripeStandIn {
  /** `http://127.0.0.1:<port>`: pass as `STRIPE_API_URL`. */
  readonly url: string;
  /** The backend env that switches billing on against this stand-in. */
  readonly env: { STRIPE_SECRET_KEY: string; STRIPE_WEBHOOK_SECRET: string; STRIPE_API_URL: string };
  readonly requests: StandInRequest[];
  readonly sessions: Map<string, StandInSession>;
  /** Where the `/pay/:id` page delivers `checkout.session.completed`; settable after the backend starts. */
  webhookTarget: string | BackendRequest | undefined;
  /** The session, or throws: for tests that just created one through the backend. */
  session(id: string): StandInSession;
  /** A `Stripe-Signature`-signed event around `session`, made with the Stripe library's own test helper. */
  signedEvent(
    type: string,
    session: StandInSession,
    options?: { eventId?: string; secret?: string; timestamp?: number },
  ): SignedEvent;
  /** Signs an event and POSTs it to the backend's `/api/v1/billing/webhook`. */
  deliver(
    target: BackendRequest | string,
    type: string,
    session: StandInSession,
    options?: { eventId?: string; secret?: string },
  ): Promise<Response>;
  /** POSTs an already signed event (to replay the very same bytes and id). */
  send(target: BackendRequest | string, event: SignedEvent): Promise<Response>;
  close(): Promise<void>;
}

const stripe = new Stripe('sk_test_signing_only');

/**
 * A local stand-in for the part of Stripe's API Lumina calls, at the wire protocol: `POST /v1/checkout/sessions`
 * (form-encoded, as the library sends it) answered with a Checkout Session object, `GET /v1/checkout/sessions/:id`,
 * and a hosted "payment page" at `/pay/:id` whose button completes the session, delivers the signed
 * `checkout.session.completed` webhook to `webhookTarget`, and redirects to the session's `success_url`.
 */
export async function startStripeStandIn(options: { webhookTarget?: string | BackendRequest } = {}) {
  const requests: StandInRequest[] = [];
  const sessions = new Map<string, StandInSession>();
  let baseUrl = '';

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { type: 'api_error', message: String(error) } }));
    });
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', baseUrl);
    const path = url.pathname;
    const form = Object.fromEntries(new URLSearchParams(body));
    if (path.startsWith('/v1/')) requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body, form });

    if (path.startsWith('/v1/') && req.headers.authorization !== `Bearer ${standIn.env.STRIPE_SECRET_KEY}`) {
      return json(res, 401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided.' } });
    }
    if (req.method === 'POST' && path === '/v1/checkout/sessions') {
      const session = createSession(form);
      sessions.set(session.id, session);
      return json(res, 200, session);
    }
    const retrieve = path.match(/^\/v1\/checkout\/sessions\/([^/]+)$/);
    if (req.method === 'GET' && retrieve?.[1]) {
      const session = sessions.get(decodeURIComponent(retrieve[1]));
      if (!session) return json(res, 404, { error: { type: 'invalid_request_error', code: 'resource_missing' } });
      return json(res, 200, session);
    }
    const pay = path.match(/^\/pay\/([^/]+)$/);
    const paySession = pay?.[1] ? sessions.get(decodeURIComponent(pay[1])) : undefined;
    if (pay && !paySession) return text(res, 404, 'No such checkout session.');
    if (req.method === 'GET' && paySession) return html(res, 200, payPage(paySession));
    if (req.method === 'POST' && paySession) {
      paySession.status = 'complete';
      paySession.payment_status = 'paid';
      paySession.payment_intent = `pi_test_${randomBytes(12).toString('hex')}`;
      const target = standIn.webhookTarget;
      if (target === undefined) return text(res, 500, 'The stand-in has no webhook target.');
      const delivered = await standIn.deliver(target, 'checkout.session.completed', paySession);
      if (!delivered.ok) return text(res, 502, `The webhook answered ${delivered.status}: ${await delivered.text()}`);
      res.writeHead(303, { location: paySession.success_url });
      res.end();
      return;
    }
    return json(res, 404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${path}).` } });
  };

  const createSession = (form: Record<string, string>): StandInSession => {
    const id = `cs_test_${randomBytes(24).toString('hex')}`;
    const quantity = Number(form['line_items[0][quantity]'] ?? '1');
    const unitAmount = Number(form['line_items[0][price_data][unit_amount]'] ?? '0');
    const metadata: Record<string, string> = {};
    for (const [key, value] of Object.entries(form)) {
      const match = key.match(/^metadata\[(.+)\]$/);
      if (match?.[1]) metadata[match[1]] = value;
    }
    const created = Math.floor(Date.now() / 1000);
    return {
      id,
      object: 'checkout.session',
      mode: 'payment',
      status: 'open',
      payment_status: 'unpaid',
      amount_total: unitAmount * quantity,
      amount_subtotal: unitAmount * quantity,
      currency: form['line_items[0][price_data][currency]'] ?? 'usd',
      client_reference_id: form.client_reference_id ?? null,
      metadata,
      success_url: form.success_url ?? '',
      cancel_url: form.cancel_url ?? null,
      url: `${baseUrl}/pay/${id}`,
      created,
      expires_at: created + 24 * 3600,
      livemode: false,
      payment_intent: null,
      customer: null,
    };
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  const standIn: StripeStandIn = {
    url: baseUrl,
    env: { STRIPE_SECRET_KEY: standInSecretKey, STRIPE_WEBHOOK_SECRET: standInWebhookSecret, STRIPE_API_URL: baseUrl },
    requests,
    sessions,
    webhookTarget: options.webhookTarget,
    session(id) {
      const session = sessions.get(id);
      if (!session) throw new Error(`the stand-in has no session ${id}`);
      return session;
    },
    signedEvent(type, session, eventOptions = {}) {
      const eventId = eventOptions.eventId ?? `evt_test_${randomBytes(12).toString('hex')}`;
      const payload = JSON.stringify({
        id: eventId,
        object: 'event',
        api_version: '2026-10-28.endive',
        created: Math.floor(Date.now() / 1000),
        type,
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
        data: { object: { ...session } },
      });
      const signature = stripe.webhooks.generateTestHeaderString({
        payload,
        secret: eventOptions.secret ?? standInWebhookSecret,
        ...(eventOptions.timestamp === undefined ? {} : { timestamp: eventOptions.timestamp }),
      });
      return { eventId, payload, headers: { 'content-type': 'application/json', 'stripe-signature': signature } };
    },
    deliver(target, type, session, eventOptions = {}) {
      return standIn.send(target, standIn.signedEvent(type, session, eventOptions));
    },
    send(target, event) {
      const init: RequestInit = { method: 'POST', headers: event.headers, body: event.payload };
      if (typeof target === 'string') return fetch(new URL('/api/v1/billing/webhook', target), init);
      return target('/api/v1/billing/webhook', init);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
  return standIn;
}

/** A Checkout Session in a given state, to build events for sessions the backend did not create. */
export function withPaymentStatus(
  session: StandInSession,
  paymentStatus: StandInSession['payment_status'],
  status: StandInSession['status'] = 'complete',
): StandInSession {
  return { ...session, payment_status: paymentStatus, status };
}

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${randomBytes(7).toString('hex')}` });
  res.end(JSON.stringify(body));
};

const text = (res: ServerResponse, status: number, body: string) => {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(body);
};

const html = (res: ServerResponse, status: number, body: string) => {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(body);
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

const payPage = (session: StandInSession) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Stripe stand-in checkout</title></head>
<body>
<main>
<h1>Pay ${(session.amount_total / 100).toFixed(2)} ${escapeHtml(session.currency.toUpperCase())}</h1>
<p>Checkout session <code>${escapeHtml(session.id)}</code></p>
<form method="post" action="/pay/${encodeURIComponent(session.id)}">
<button type="submit">Pay</button>
</form>
<p><a href="${escapeHtml(session.cancel_url ?? '/')}">Cancel</a></p>
</main>
</body>
</html>
`;
