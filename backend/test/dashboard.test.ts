import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@lumina/runtime';
import { MeResponse, PairingCreated, PairingToken, SubmitTaskResponse, TaskView } from '@lumina/shared';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EditWorker, startEditWorker } from '../src/edit/edit-worker.ts';
import { loadEditWorkerConfig } from '../src/edit/edit-worker-config.ts';
import { dashboardOrigin, errorCodeOf, sessionCookieIn, signUpBrowser } from './support/accounts.ts';
import { launchChromium, type ServedBackend, serveTestBackend } from './support/browser.ts';
import { type GeminiStandIn, imageReply, startGeminiStandIn } from './support/gemini-stand-in.ts';
import { eventually, fixture, processForm, startTestBackend, type TestBackend } from './support/harness.ts';
import { type StripeStandIn, startStripeStandIn } from './support/stripe-stand-in.ts';

/**
 * The dashboard in a real browser: headless Chromium against the real backend on a real port (PostgreSQL,
 * Redis), with billing pointed at the Stripe stand-in. Each test signs up people of its own.
 */
describe('dashboard in the browser', () => {
  const geminiKey = 'test-gemini-key';
  const editPrice = 4;
  let stripe: StripeStandIn;
  let gemini: GeminiStandIn;
  let served: ServedBackend;
  let worker: EditWorker;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    stripe = await startStripeStandIn();
    gemini = await startGeminiStandIn(geminiKey);
    served = await serveTestBackend({
      ...stripe.env,
      GEMINI_API_KEY: geminiKey,
      GEMINI_BASE_URL: gemini.url,
      PRICE_MAGIC_EDIT: String(editPrice),
    });
    origin = served.origin;
    stripe.webhookTarget = origin;
    worker = startEditWorker({
      config: loadEditWorkerConfig(served.t.env),
      store: served.t.backend.ctx.store,
      log: createLogger('edit-worker', { silent: true }),
    });
    await worker.ready;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await served?.close();
    await gemini?.close();
    await stripe?.close();
  });

  interface Person {
    readonly page: Page;
    readonly email: string;
    readonly name: string;
  }

  /** A fresh browser profile that signs up through the form, landing on `next` (the dashboard by default). */
  async function signUp(name: string, next?: string): Promise<Person> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const email = `${name.toLowerCase()}-${randomBytes(4).toString('hex')}@example.com`;
    await page.goto(`${origin}/sign-up${next ? `?next=${encodeURIComponent(next)}` : ''}`);
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(`correct horse ${randomBytes(4).toString('hex')}`);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${origin}${next ?? '/'}`);
    return { page, email, name };
  }

  const balanceOn = async (page: Page): Promise<number> => Number(await page.getByTestId('balance').textContent());

  it('sends a signed-out visitor to sign in, and signs a new person up onto their personal team', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    expect(page.url()).toBe(`${origin}/sign-in`);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL(`${origin}/sign-up`);
    const email = `ada-${randomBytes(4).toString('hex')}@example.com`;
    await page.getByLabel('Name').fill('Ada');
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${origin}/`);

    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe("Ada's team");
    expect(await page.getByRole('navigation', { name: 'Dashboard' }).isVisible()).toBe(true);
    // A new free team is topped up to its monthly allowance the first time its pool is looked at.
    expect(await balanceOn(page)).toBe(served.t.config.billing.freeMonthlyCredits);
    expect(await page.getByTestId('plan').textContent()).toMatch(/^Free/);
    expect(await page.locator('svg[role="img"] title').first().textContent()).toBe('Credits spent per day');
    await page.screenshot({ path: '/tmp/lumina-dashboard.png', fullPage: true });

    // Signing out ends the session: the dashboard asks for a sign-in again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${origin}/sign-in`);
    await page.goto(`${origin}/keys`);
    expect(page.url()).toBe(`${origin}/sign-in?next=%2Fkeys`);
    await context.close();
  });

  it('approves a plugin pairing, after which the plugin’s poll gets a token that works on /api/v1/me', async () => {
    const ada = await signUp('Ada');
    // The plugin: no cookies, plain fetch.
    const started = await fetch(`${origin}/api/v1/pairings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client: 'figma', label: 'Figma on the studio Mac' }),
    });
    expect(started.status).toBe(201);
    const pairing = PairingCreated.parse(await started.json());
    expect(new URL(pairing.verificationUriComplete).origin).toBe(origin);

    await ada.page.goto(pairing.verificationUriComplete);
    const main = ada.page.getByRole('main');
    expect(await main.textContent()).toContain('Figma on the studio Mac');
    expect(await main.textContent()).toContain(pairing.userCode);
    await ada.page.screenshot({ path: '/tmp/lumina-pairing.png', fullPage: true });
    await ada.page.getByRole('button', { name: 'Approve' }).click();
    await ada.page.getByText('You can return to Figma').waitFor();

    const polled = await fetch(`${origin}/api/v1/pairings/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pollSecret: pairing.pollSecret }),
    });
    expect(polled.status).toBe(200);
    const token = PairingToken.parse(await polled.json());
    const me = await fetch(`${origin}/api/v1/me`, { headers: { authorization: `Bearer ${token.token}` } });
    expect(me.status).toBe(200);
    const body = MeResponse.parse(await me.json());
    expect(body.user.email).toBe(ada.email);
    expect(body.session.kind).toBe('plugin');
    expect(body.teams.map((team) => team.personal)).toEqual([true]);

    // The connected plugin is listed with the browser sessions, and disconnecting it cuts the token off.
    await ada.page.goto(`${origin}/sessions`);
    const row = ada.page.getByRole('row').filter({ hasText: 'Figma on the studio Mac' });
    await row.getByRole('link', { name: 'Disconnect' }).click();
    await ada.page.getByRole('button', { name: 'Disconnect' }).click();
    await ada.page.waitForURL(`${origin}/sessions?revoked=1`);
    expect(await ada.page.getByRole('main').textContent()).not.toContain('Figma on the studio Mac');
    const after = await fetch(`${origin}/api/v1/me`, { headers: { authorization: `Bearer ${token.token}` } });
    expect(after.status).toBe(401);
    await ada.page.context().close();
  });

  it('buys a credit pack through the Stripe stand-in and shows the new balance on the dashboard', async () => {
    const grace = await signUp('Grace');
    const before = await balanceOn(grace.page);
    await grace.page.getByRole('link', { name: 'Buy credits' }).click();
    await grace.page.waitForURL(`${origin}/billing`);
    await grace.page.getByRole('button', { name: 'Buy Starter' }).click();
    // Stripe's hosted page (the stand-in's), then back with the webhook delivered.
    await grace.page.waitForURL(/\/pay\/cs_test_/);
    expect(new URL(grace.page.url()).origin).toBe(stripe.url);
    await grace.page.getByRole('button', { name: 'Pay' }).click();
    await grace.page.waitForURL(`${origin}/billing?checkout=success`);
    expect(await grace.page.getByRole('status').textContent()).toContain('payment went through');
    const history = grace.page.getByRole('row').filter({ hasText: 'Starter' });
    expect(await history.textContent()).toContain('paid');

    await grace.page.goto(`${origin}/`);
    expect(await balanceOn(grace.page)).toBe(before + 100);
    expect(await grace.page.getByTestId('plan').textContent()).toBe('Paid');
    await grace.page.context().close();
  });

  it('shows a new API key once, and a key revoked in the page is refused by the API', async () => {
    const linus = await signUp('Linus');
    const { page } = linus;
    await page.goto(`${origin}/keys`);
    await page.getByLabel('Name').fill('CI pipeline');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = await page.getByTestId('new-key-secret').inputValue();
    expect(secret).toMatch(/^lum_/);

    const used = await fetch(`${origin}/api/v1/tasks`, { headers: { authorization: `Bearer ${secret}` } });
    expect(used.status).toBe(200);

    // Shown once: the list afterwards names the key but no longer contains its secret.
    await page.goto(`${origin}/keys`);
    expect(await page.content()).not.toContain(secret);
    const row = page.getByRole('row').filter({ hasText: 'CI pipeline' });
    expect(await row.textContent()).toContain(secret.slice(0, 8));
    expect(await row.textContent()).not.toContain('Never'); // its use above was recorded
    // Revoking asks first, on a page of its own; Cancel there would leave the key alone.
    await row.getByRole('link', { name: 'Revoke CI pipeline' }).click();
    await page.waitForURL(/\/keys\/[^/]+\/revoke$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Revoke the key “CI pipeline”?');
    await page.getByRole('button', { name: 'Revoke key' }).click();
    await page.waitForURL(`${origin}/keys?revoked=1`);
    expect(await page.getByRole('row').filter({ hasText: 'CI pipeline' }).count()).toBe(0);

    const refused = await fetch(`${origin}/api/v1/tasks`, { headers: { authorization: `Bearer ${secret}` } });
    expect(refused.status).toBe(401);
    await page.context().close();
  });

  it('lists a finished task with its thumbnail and download link, and charts the credits it spent', async () => {
    const { page } = await signUp('Katherine');
    expect(await page.getByTestId('get-started').count()).toBe(1); // no tasks yet
    await page.goto(`${origin}/tasks`);
    expect(await page.getByRole('main').textContent()).toContain('No tasks yet');
    await page.goto(`${origin}/keys`);
    await page.getByLabel('Name').fill('script');
    await page.getByRole('button', { name: 'Create key' }).click();
    const auth = { authorization: `Bearer ${await page.getByTestId('new-key-secret').inputValue()}` };

    const sunset = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#ff7800' } })
      .png()
      .toBuffer();
    gemini.script(imageReply(sunset));
    const submitted = await fetch(`${origin}/api/v1/process`, {
      method: 'POST',
      headers: auth,
      body: processForm(fixture('chelsea.png'), { operation: 'magic-edit', prompt: 'make it sunset' }),
    });
    expect(submitted.status).toBe(202);
    const { taskId } = SubmitTaskResponse.parse(await submitted.json());
    const task = await eventually(async () => {
      const view = TaskView.parse(await (await fetch(`${origin}/api/v1/tasks/${taskId}`, { headers: auth })).json());
      return view.status === 'COMPLETED' || view.status === 'FAILED' ? view : undefined;
    }, 30_000);
    expect(task.status).toBe('COMPLETED');

    await page.goto(`${origin}/tasks`);
    const row = page.getByRole('row').filter({ hasText: 'Magic edit: “make it sunset”' });
    expect(await row.textContent()).toContain('Done');
    expect(await row.getByRole('cell').nth(2).textContent()).toBe('API key “script”');
    expect(await row.getByRole('cell').nth(4).textContent()).toBe(`${editPrice} credits`);
    const thumb = row.getByRole('img', { name: 'Result of Magic edit: “make it sunset”' });
    expect(await thumb.getAttribute('loading')).toBe('lazy');
    expect(await thumb.getAttribute('width')).toBe('64');
    // The browser really loads the signed result URL (a string: these tests type-check without the DOM library).
    await page.waitForFunction(
      "(() => { const img = document.querySelector('img.thumb'); return img?.complete && img.naturalWidth > 0; })()",
    );
    const href = await row.getByRole('link', { name: /Download/ }).getAttribute('href');
    expect(href).not.toBeNull();
    const download = await fetch(href ?? '');
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toMatch(/^image\//);

    await page.goto(`${origin}/`);
    expect(await page.getByTestId('get-started').count()).toBe(0); // the first task ends the onboarding
    expect(await page.locator('svg[role="img"] desc').textContent()).toMatch(
      new RegExp(`^${editPrice} credits spent and ${served.t.config.billing.freeMonthlyCredits} added`),
    );
    await page.context().close();
  });

  it('lets an invited member into the team without key management or buying', async () => {
    const owner = await signUp('Olga');
    await owner.page.goto(`${origin}/team`);
    await owner.page.getByRole('button', { name: 'Create invite link' }).click();
    const link = await owner.page.getByTestId('invite-link').inputValue();
    const invitePath = `${new URL(link).pathname}${new URL(link).search}`;

    // The invitee signs up from the link and joins.
    const member = await signUp('Max', invitePath);
    await member.page.getByRole('button', { name: 'Join the team' }).click();
    await member.page.waitForURL(`${origin}/`);
    expect(await member.page.getByRole('heading', { level: 1 }).textContent()).toBe("Olga's team");
    expect(await member.page.getByRole('link', { name: 'API keys' }).count()).toBe(1); // nav stays the same

    await member.page.goto(`${origin}/keys`);
    expect(await member.page.getByRole('main').textContent()).toContain('managed by the team’s owners and admins');
    expect(await member.page.getByRole('button', { name: 'Create key' }).count()).toBe(0);
    // Even a hand-made same-origin post is refused by the use case's role check.
    const forced = await member.page.evaluate(async () => {
      const res = await fetch('/keys', { method: 'POST', body: new URLSearchParams({ name: 'sneaky' }) });
      return res.status;
    });
    expect(forced).toBe(403);

    await member.page.goto(`${origin}/billing`);
    expect(await member.page.getByRole('button', { name: /^Buy / }).count()).toBe(0);

    // In two teams now, the member switches back to the personal one from the header.
    await member.page.getByLabel('Active team').selectOption({ label: "Max's team" });
    await member.page.getByRole('button', { name: 'Switch team' }).click();
    await member.page.waitForURL(`${origin}/billing`);
    await member.page.goto(`${origin}/`);
    expect(await member.page.getByRole('heading', { level: 1 }).textContent()).toBe("Max's team");

    // The owner sees the member, with the controls the member does not get.
    await owner.page.goto(`${origin}/team`);
    const row = owner.page.getByRole('row').filter({ hasText: member.email });
    expect(await row.getByRole('link', { name: 'Remove Max' }).count()).toBe(1);
    await owner.page.context().close();
    await member.page.context().close();
  });

  it('refuses a form post that another origin makes with the person’s cookie', async () => {
    const victim = await signUp('Vera');
    // Another port on the same host is the same *site*, so SameSite=Lax still sends the cookie: only the
    // Origin check stands between this page and the account.
    const attacker = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><form id="f" method="post" action="${origin}/keys">
        <input name="name" value="planted by another site"></form>
        <script>document.getElementById('f').submit()</script>`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    try {
      const attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
      const posted = victim.page.waitForResponse(
        (r) => r.url() === `${origin}/keys` && r.request().method() === 'POST',
      );
      await victim.page.goto(attackerUrl);
      const response = await posted;
      expect(response.status()).toBe(403);
      expect(await response.text()).toContain('csrf_rejected');

      await victim.page.goto(`${origin}/keys`);
      expect(await victim.page.getByRole('main').textContent()).not.toContain('planted by another site');
    } finally {
      attacker.closeAllConnections();
      await new Promise<void>((resolve) => attacker.close(() => resolve()));
      await victim.page.context().close();
    }
  });
});

describe('dashboard pages, in process', () => {
  let t: TestBackend;

  beforeAll(async () => {
    t = await startTestBackend(); // no Stripe keys: billing is off
  });
  afterAll(async () => {
    await t?.close();
  });

  it('says billing is off when the server has no Stripe keys, and offers nothing to buy', async () => {
    const ada = await signUpBrowser(t);
    const res = await t.request('/billing', { headers: ada.headers() });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('Billing is switched off on this server');
    expect(page).not.toContain('action="/billing/checkout"');
    const buy = await t.request('/billing/checkout', {
      method: 'POST',
      headers: ada.headers({ 'content-type': 'application/x-www-form-urlencoded' }),
      body: 'packId=starter',
    });
    expect(buy.status).toBe(501);
    // Refused on the billing page itself, in words.
    const refused = await buy.text();
    expect(refused).toContain('<h1>Billing</h1>');
    expect(refused).toMatch(/<p class="alert" role="alert"[^>]*>[^<]*billing/i);
  });

  it('refuses cookie form posts that state no origin, and sign-ins posted from another site', async () => {
    const ada = await signUpBrowser(t);
    const { origin: _origin, ...withoutOrigin } = ada.headers({ 'content-type': 'application/x-www-form-urlencoded' });
    const bare = await t.request('/keys', { method: 'POST', headers: withoutOrigin, body: 'name=x' });
    expect(bare.status).toBe(403);
    const foreignSignIn = await t.request('/sign-in', {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: ada.email, password: ada.password }).toString(),
    });
    expect(foreignSignIn.status).toBe(403);
    expect(sessionCookieIn(foreignSignIn)).toBeNull();
  });

  it('answers an unknown page address with a 404 page that leads back, not JSON', async () => {
    const res = await t.request('/no-such-page', { headers: { accept: 'text/html' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('There is no page at /no-such-page.');
    expect(html).toContain('href="/"');
  });

  it('leaves the JSON API alone: unknown API paths still answer the JSON error envelope', async () => {
    const res = await t.request('/api/v1/nowhere');
    expect(res.status).toBe(404);
    expect(await errorCodeOf(res)).toBe('not_found');
    const page = await t.request('/keys');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/sign-in?next=%2Fkeys');
  });

  it('never redirects a sign-in to another site', async () => {
    const ada = await signUpBrowser(t);
    const res = await t.request('/sign-in', {
      method: 'POST',
      headers: { origin: dashboardOrigin, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: ada.email, password: ada.password, next: '//evil.example/x' }).toString(),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
  });
});
