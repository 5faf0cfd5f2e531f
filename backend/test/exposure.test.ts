import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createFsObjectStore } from '@lumina/runtime';
import { CheckoutResponse } from '@lumina/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { dashboardJson, errorCodeOf, signUpBrowser } from './support/accounts.ts';
import { startTestBackend, type TestBackend } from './support/harness.ts';
import { type StripeStandIn, startStripeStandIn, withPaymentStatus } from './support/stripe-stand-in.ts';

// Issue 13, item 15: dashboard pages could be framed, /metrics was open unless a token was set, stored objects
// were world-readable files, and Stripe events dated in the future were accepted.
let stripe: StripeStandIn;
let t: TestBackend;

beforeAll(async () => {
  stripe = await startStripeStandIn();
  t = await startTestBackend({ ...stripe.env }, { background: false });
  stripe.webhookTarget = t.request;
});
afterAll(async () => {
  await t?.close();
  await stripe?.close();
});

describe('issue 13 item 15: dashboard pages cannot be framed', () => {
  it("answers every page with frame-ancestors 'none' and X-Frame-Options DENY", async () => {
    const ada = await signUpBrowser(t);
    for (const [path, headers] of [
      ['/sign-in', {}],
      ['/sign-up', {}],
      ['/pair', ada.headers()],
      ['/keys', ada.headers()],
      ['/team', ada.headers()],
    ] as const) {
      const res = await t.request(path, { headers });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
    }
  });
});

describe('issue 13 item 15: /metrics is never open to the public', () => {
  it('refuses to start when PUBLIC_BASE_URL is not loopback and neither METRICS_TOKEN nor METRICS_PORT is set', () => {
    const attempt = () => loadConfig({ PUBLIC_BASE_URL: 'https://lumina.example' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/METRICS_TOKEN.*METRICS_PORT/s);
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(/METRICS_TOKEN/);
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://lumina.example', METRICS_TOKEN: 'x'.repeat(16) }).metricsToken).toBe(
      'x'.repeat(16),
    );
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://lumina.example', METRICS_PORT: '9464' }).metricsListen).toEqual({
      port: 9464,
      host: '127.0.0.1',
    });
    for (const local of ['http://127.0.0.1:8787', 'http://localhost:8787', 'http://[::1]:8787']) {
      expect(loadConfig({ PUBLIC_BASE_URL: local }).metricsToken).toBeUndefined();
    }
  });

  it('asks for the token on the API port, and serves nothing there when METRICS_PORT moves it away', async () => {
    expect((await t.request('/metrics')).status).toBe(401);
    const separate = await startTestBackend({ METRICS_PORT: '9464' }, { background: false });
    try {
      const res = await separate.request('/metrics', {
        headers: { authorization: `Bearer ${separate.env.METRICS_TOKEN}` },
      });
      expect(res.status).toBe(404);
    } finally {
      await separate.close();
    }
  });
});

describe('issue 13 item 15: stored objects are not world-readable', () => {
  it('creates object files 0640 and folders 0750, whatever the umask allows', async () => {
    const dir = join(t.config.dataDir, 'mode-check');
    const store = createFsObjectStore(dir);
    await store.put('results/task_mode.png', new Uint8Array([1, 2, 3]), 'image/png');
    expect((await stat(join(dir, 'results', 'task_mode.png'))).mode & 0o777).toBe(0o640);
    expect((await stat(join(dir, 'results'))).mode & 0o777).toBe(0o750);
  });
});

describe('issue 13 item 15: Stripe events dated in the future are refused', () => {
  it('refuses a correctly signed event whose timestamp is ahead of the tolerance, and grants nothing', async () => {
    const owner = await signUpBrowser(t);
    const started = await t.request('/api/v1/billing/checkout', dashboardJson(owner, 'POST', { packId: 'starter' }));
    const session = withPaymentStatus(stripe.session(CheckoutResponse.parse(await started.json()).checkoutId), 'paid');
    const nowSeconds = Math.floor(Date.now() / 1000);
    for (const aheadSeconds of [3600, 365 * 86_400]) {
      const future = stripe.signedEvent('checkout.session.completed', session, {
        timestamp: nowSeconds + aheadSeconds,
      });
      const res = await stripe.send(t.request, future);
      expect(res.status).toBe(400);
      expect(await errorCodeOf(res)).toBe('invalid_webhook_signature');
    }
    expect(await t.team(owner.personalTeamId)).toEqual({ balance: 0, reserved: 0 });
    // A little clock skew is fine.
    const skewed = stripe.signedEvent('checkout.session.completed', session, { timestamp: nowSeconds + 30 });
    expect((await stripe.send(t.request, skewed)).status).toBe(200);
    expect((await t.team(owner.personalTeamId)).balance).toBe(100);
  });
});
