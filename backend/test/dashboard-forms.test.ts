import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type ServedBackend, serveTestBackend } from './support/browser.ts';

/**
 * The dashboard's forms in headless Chromium against the real backend: a refused form stays on its page with
 * the nav, a plain message and what was typed; every success redirects, so a reload repeats nothing; anything
 * that cannot be undone asks first; a new team gets a Get started panel; billing says what a credit buys.
 */
describe('dashboard forms in the browser', () => {
  const magicEditPrice = 5;
  let served: ServedBackend;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    // A Gemini key makes magic edit available (and priced) on billing; no edit is run here.
    served = await serveTestBackend({ GEMINI_API_KEY: 'not-called-here', PRICE_MAGIC_EDIT: String(magicEditPrice) });
    origin = served.origin;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  interface Person {
    readonly page: Page;
    readonly email: string;
    readonly password: string;
  }

  async function signUp(name: string, next = '/'): Promise<Person> {
    const context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    const page = await context.newPage();
    const email = `${name.toLowerCase()}-${randomBytes(4).toString('hex')}@example.com`;
    const password = `correct horse ${randomBytes(4).toString('hex')}`;
    await page.goto(`${origin}/sign-up${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`);
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${origin}${next}`);
    return { page, email, password };
  }

  /** Clicks a submit button and returns the status of the POST it made. */
  async function submit(page: Page, button: string): Promise<number> {
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: button }).click(),
    ]);
    await page.waitForLoadState('load');
    return response.status();
  }

  /** Lets a form post what the browser's own checks (type=email, required) would stop, as a script could. */
  const skipBrowserChecks = (page: Page, action: string) =>
    page.evaluate(`document.querySelector('form[action="${action}"]').noValidate = true`);

  /**
   * The page is a dashboard page: its nav is there and it names the page it is on. A refused form is answered
   * at the address it posted to (`/team/invites` shows the team page), so only the page's own prefix is checked.
   */
  async function expectOnPage(page: Page, path: string, heading: string | RegExp) {
    expect(new URL(page.url()).pathname.startsWith(path)).toBe(true);
    expect(await page.getByRole('navigation', { name: 'Dashboard' }).count()).toBe(1);
    const h1 = await page.getByRole('heading', { level: 1 }).textContent();
    if (typeof heading === 'string') expect(h1).toBe(heading);
    else expect(h1).toMatch(heading);
  }

  const alertText = async (page: Page): Promise<string> => (await page.getByRole('alert').textContent()) ?? '';

  /** No error code, no zod wording, no generic error page. */
  function expectPlainWords(message: string) {
    expect(message).not.toMatch(/[a-z]+_[a-z_]+/); // snake_case codes such as webhook_url_refused
    expect(message).not.toMatch(/Invalid input|Too small|Too big|String must|expected string|✖/i);
    expect(message).not.toContain('Something went wrong');
  }

  it('keeps a refused webhook, key, invite and team on their pages with the input and a plain message', async () => {
    const { page } = await signUp('Rita');

    await page.goto(`${origin}/webhooks`);
    await page.getByLabel('URL').fill('http://127.0.0.1:9/lumina-hook');
    await page.getByLabel('Description').fill('order sync');
    await page.getByRole('checkbox', { name: 'task.failed' }).uncheck();
    expect(await submit(page, 'Add endpoint')).toBe(400);
    await expectOnPage(page, '/webhooks', 'Webhooks');
    const webhookMessage = await alertText(page);
    expect(webhookMessage).toContain('127.0.0.1 is a loopback or private address');
    expectPlainWords(webhookMessage);
    expect(await page.getByLabel('URL').inputValue()).toBe('http://127.0.0.1:9/lumina-hook');
    expect(await page.getByLabel('Description').inputValue()).toBe('order sync');
    expect(await page.getByRole('checkbox', { name: 'task.failed' }).isChecked()).toBe(false);
    expect(await page.getByRole('checkbox', { name: 'task.completed' }).isChecked()).toBe(true);
    expect(await page.getByText('No endpoints yet.').count()).toBe(1);

    await page.goto(`${origin}/keys`);
    await page.getByLabel('Name').fill('   ');
    expect(await submit(page, 'Create key')).toBe(400);
    await expectOnPage(page, '/keys', 'API keys');
    const keyMessage = await alertText(page);
    expect(keyMessage).toContain('Give the key a name of 1 to 100 characters');
    expectPlainWords(keyMessage);
    expect(await page.getByLabel('Name').inputValue()).toBe('   ');
    expect(await page.getByText('No keys yet.').count()).toBe(1);

    await page.goto(`${origin}/team`);
    await skipBrowserChecks(page, '/team/invites');
    await page.getByLabel('E-mail').fill('not an address');
    await page.getByLabel('Role', { exact: true }).selectOption('admin');
    expect(await submit(page, 'Create invite link')).toBe(400);
    await expectOnPage(page, '/team', "Rita's team");
    const inviteMessage = await alertText(page);
    expect(inviteMessage).toContain('Enter an e-mail address like name@example.com');
    expectPlainWords(inviteMessage);
    expect(await page.getByLabel('E-mail').inputValue()).toBe('not an address');
    expect(await page.getByLabel('Role', { exact: true }).inputValue()).toBe('admin');
    expect(await page.getByText('No pending invites.').count()).toBe(1);

    await page.getByLabel('Team name').fill('  ');
    expect(await submit(page, 'Create team')).toBe(400);
    await expectOnPage(page, '/team', "Rita's team");
    expect(await alertText(page)).toContain('Give the team a name of 1 to 100 characters');
    await page.context().close();
  });

  it('says what is wrong with a sign-up in words, keeping the name and e-mail', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${origin}/sign-up`);
    await skipBrowserChecks(page, '/sign-up');
    await page.getByLabel('Name').fill('Sam');
    await page.getByLabel('E-mail').fill('sam at example');
    await page.getByLabel('Password').fill('short');
    expect(await submit(page, 'Create account')).toBe(400);
    const message = await alertText(page);
    expect(message).toContain('Enter an e-mail address like name@example.com.');
    expect(message).toContain('Choose a password of 8 to 256 characters.');
    expectPlainWords(message);
    expect(await page.getByLabel('Name').inputValue()).toBe('Sam');
    expect(await page.getByLabel('E-mail').inputValue()).toBe('sam at example');
    await page.context().close();
  });

  it('answers an unknown address with a 404 page that keeps the nav of the signed-in person', async () => {
    const { page } = await signUp('Nina');
    const response = await page.goto(`${origin}/no-such-page`);
    expect(response?.status()).toBe(404);
    expect(response?.headers()['content-type']).toContain('text/html');
    await expectOnPage(page, '/no-such-page', 'Not found');
    expect(await alertText(page)).toBe('There is no page at /no-such-page.');
    await page.context().close();
  });

  it('redirects after creating a key, an invite and a webhook, so a reload creates nothing more', async () => {
    const { page } = await signUp('Paul');

    await page.goto(`${origin}/keys`);
    await page.getByLabel('Name').fill('CI pipeline');
    expect(await submit(page, 'Create key')).toBe(303);
    expect(page.url()).toBe(`${origin}/keys`);
    const secret = await page.getByTestId('new-key-secret').inputValue();
    expect(secret).toMatch(/^lum_/);
    // The curl is ready to run: this server's address and the new key.
    const curl = (await page.getByTestId('new-key-curl').textContent()) ?? '';
    expect(curl).toContain(`curl -s ${origin}/api/v1/process -H "Authorization: Bearer ${secret}"`);
    await page.getByRole('button', { name: 'Copy the curl command' }).click();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(curl);
    await page.reload();
    expect(page.url()).toBe(`${origin}/keys`);
    expect(await page.getByTestId('new-key-secret').count()).toBe(0); // shown once
    expect(await page.content()).not.toContain(secret);
    expect(await page.getByRole('row').filter({ hasText: 'CI pipeline' }).count()).toBe(1);

    await page.goto(`${origin}/team`);
    expect(await submit(page, 'Create invite link')).toBe(303);
    expect(page.url()).toBe(`${origin}/team`);
    const link = await page.getByTestId('invite-link').inputValue();
    expect(link).toMatch(new RegExp(`^${origin}/invite\\?token=`));
    await page.getByRole('button', { name: 'Copy the invite link' }).click();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(link);
    await page.reload();
    expect(await page.getByTestId('invite-link').count()).toBe(0);
    expect(await page.getByRole('row').filter({ hasText: 'Anyone with the link' }).count()).toBe(1);

    await page.goto(`${origin}/webhooks`);
    await page.getByLabel('URL').fill('https://hooks.example.com/lumina');
    expect(await submit(page, 'Add endpoint')).toBe(303);
    expect(page.url()).toBe(`${origin}/webhooks`);
    expect(await page.getByTestId('new-webhook-secret').inputValue()).toMatch(/^whsec_/);
    await page.reload();
    expect(await page.getByTestId('new-webhook-secret').count()).toBe(0);
    expect(await page.getByRole('region', { name: 'Endpoint https://hooks.example.com/lumina' }).count()).toBe(1);

    // The API agrees: the reload added no second endpoint.
    const listed = await page.evaluate(`fetch('/api/v1/webhooks').then((r) => r.json())`);
    expect((listed as { webhooks: unknown[] }).webhooks).toHaveLength(1);
    await page.context().close();
  });

  it('asks before revoking a key, an invite, a session, removing a member or signing out everywhere', async () => {
    const owner = await signUp('Olga');
    const { page } = owner;

    // Key: Cancel leaves it; confirming revokes it.
    await page.goto(`${origin}/keys`);
    await page.getByLabel('Name').fill('deploy');
    await submit(page, 'Create key');
    await page.getByRole('link', { name: 'Revoke deploy' }).click();
    await page.waitForURL(/\/keys\/[^/]+\/revoke$/);
    await expectOnPage(page, new URL(page.url()).pathname, 'Revoke the key “deploy”?');
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.waitForURL(`${origin}/keys`);
    expect(await page.getByRole('row').filter({ hasText: 'deploy' }).count()).toBe(1);
    await page.getByRole('link', { name: 'Revoke deploy' }).click();
    expect(await submit(page, 'Revoke key')).toBe(303);
    await page.waitForURL(`${origin}/keys?revoked=1`);
    expect(await page.getByRole('row').filter({ hasText: 'deploy' }).count()).toBe(0);

    // Invite, then a member who joins through another one.
    await page.goto(`${origin}/team`);
    await submit(page, 'Create invite link');
    await page.getByRole('link', { name: 'Revoke the member invite' }).click();
    await page.waitForURL(/\/team\/invites\/[^/]+\/revoke$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Revoke this invite?');
    await submit(page, 'Revoke invite');
    await page.waitForURL(`${origin}/team?done=revoked`);
    expect(await page.getByText('No pending invites.').count()).toBe(1);

    await submit(page, 'Create invite link');
    const link = new URL(await page.getByTestId('invite-link').inputValue());
    const max = await signUp('Max', `${link.pathname}${link.search}`);
    await max.page.getByRole('button', { name: 'Join the team' }).click();
    await max.page.waitForURL(`${origin}/`);
    await page.goto(`${origin}/team`);
    await page.getByRole('link', { name: 'Remove Max' }).click();
    await page.waitForURL(/\/remove$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Remove Max from the team?');
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.waitForURL(`${origin}/team`);
    expect(await page.getByRole('row').filter({ hasText: max.email }).count()).toBe(1);
    await page.getByRole('link', { name: 'Remove Max' }).click();
    await submit(page, 'Remove member');
    await page.waitForURL(`${origin}/team?done=removed`);
    expect(await page.getByRole('row').filter({ hasText: max.email }).count()).toBe(0);
    await max.page.context().close();

    // A second browser of Olga's: ended from the first after confirming; then everything, after confirming.
    const other = await (await browser.newContext()).newPage();
    await other.goto(`${origin}/sign-in`);
    await other.getByLabel('E-mail').fill(owner.email);
    await other.getByLabel('Password').fill(owner.password);
    await other.getByRole('button', { name: 'Sign in' }).click();
    await other.waitForURL(`${origin}/`);
    await page.goto(`${origin}/sessions`);
    const sessionLinks = page.getByRole('link', { name: 'End', exact: true });
    expect(await sessionLinks.count()).toBe(1);
    await sessionLinks.click();
    await page.waitForURL(/\/sessions\/[^/]+\/revoke$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('End this session?');
    await submit(page, 'End');
    await page.waitForURL(`${origin}/sessions?revoked=1`);
    await other.goto(`${origin}/`);
    expect(new URL(other.url()).pathname).toBe('/sign-in');

    await page.getByRole('link', { name: 'Sign out everywhere' }).click();
    await page.waitForURL(`${origin}/sign-out-everywhere`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign out everywhere?');
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.waitForURL(`${origin}/sessions`);
    await page.getByRole('link', { name: 'Sign out everywhere' }).click();
    await submit(page, 'Sign out everywhere');
    await page.waitForURL(`${origin}/sign-in`);
    await page.goto(`${origin}/keys`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await other.context().close();
    await page.context().close();
  });

  it('greets a new team with Get started: the studio, pairing a plugin and a curl that copies', async () => {
    const { page } = await signUp('Gina');
    const panel = page.getByTestId('get-started');
    expect(await panel.getByRole('link', { name: 'Open the studio' }).getAttribute('href')).toBe('/studio');
    expect(await panel.textContent()).toContain('Pair a plugin');
    expect(await panel.getByRole('link', { name: `${origin}/pair` }).count()).toBe(1);
    const curl = (await page.getByTestId('get-started-curl').textContent()) ?? '';
    expect(curl).toContain(`curl -s ${origin}/api/v1/process -H "Authorization: Bearer $LUMINA_KEY"`);
    await panel.getByRole('button', { name: 'Copy the curl command' }).click();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(curl);
    expect(await panel.getByRole('link', { name: 'Create an API key' }).getAttribute('href')).toBe('/keys');
    await page.context().close();
  });

  it('says on billing what a credit buys, from the configured prices, and gives the balance its unit', async () => {
    const { page } = await signUp('Bea');
    await page.goto(`${origin}/billing`);
    const prices = (await page.getByTestId('prices').textContent()) ?? '';
    const configured = served.t.config.prices;
    expect(configured['remove-background']).toBe(1);
    expect(prices).toContain('Background removal: 1 credit an image.');
    expect(prices).toContain(`Magic edit: ${magicEditPrice} credits an edit.`);
    expect(prices).toMatch(/Upscale \(2× or 4×\): \d+ credits? per started 16\.8 megapixels/);
    const balance = await page.getByTestId('balance').textContent();
    expect(await page.locator('.stat dd').first().textContent()).toMatch(new RegExp(`^${balance} credits?$`));
    await page.context().close();
  });
});
