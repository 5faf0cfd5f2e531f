import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type ServedBackend, serveTestBackend } from './support/browser.ts';
import { eventually } from './support/harness.ts';
import { type Receiver, startReceiver, verifyStandardWebhook } from './support/webhook-receiver.ts';

/** The webhooks page in headless Chromium against the real backend on a real port, with a local receiver. */
describe('the webhooks page', () => {
  let served: ServedBackend;
  let browser: Browser;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver();
    served = await serveTestBackend({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_SCHEDULE_MS: '0,50,100' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await served?.close();
    await receiver?.close();
  });

  async function signUp(name: string): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${served.origin}/sign-up`);
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('E-mail').fill(`${name.toLowerCase()}-${randomBytes(4).toString('hex')}@example.com`);
    await page.getByLabel('Password').fill(`correct horse ${randomBytes(4).toString('hex')}`);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${served.origin}/`);
    return page;
  }

  it('adds an endpoint (secret shown once), sends a test event and shows it in the delivery log', async () => {
    const page = await signUp('Olga');
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.waitForURL(`${served.origin}/webhooks`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Webhooks');

    const hook = receiver.endpoint(500, 200);
    await page.getByLabel('URL').fill(hook.url);
    await page.getByLabel('Description').fill('order sync');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = await page.getByTestId('new-webhook-secret').inputValue();
    expect(secret).toMatch(/^whsec_/);

    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.waitForURL(`${served.origin}/webhooks?tested=1`);
    expect(await page.getByRole('status').textContent()).toContain('A test event is on its way');
    expect(await page.getByTestId('new-webhook-secret').count()).toBe(0);

    // The receiver fails the first attempt and takes the second; the log shows both.
    const row = page.getByRole('table', { name: `Deliveries to ${hook.url}` }).locator('tbody tr');
    await eventually(async () => {
      await page.reload();
      return (await row.first().textContent())?.includes('succeeded') ? true : undefined;
    }, 30_000);
    const cells = await row.first().locator('td').allTextContents();
    expect(cells.slice(0, 4)).toEqual(['webhook.test', 'succeeded', '2', '200']);
    const requests = hook.got();
    expect(requests).toHaveLength(2);
    for (const request of requests) expect(verifyStandardWebhook(secret, request.headers, request.body)).toBe(true);
    await page.screenshot({ path: '/tmp/lumina-webhooks.png', fullPage: true });

    await page.getByRole('button', { name: 'Disable' }).click();
    await page.waitForURL(`${served.origin}/webhooks?disabled=1`);
    expect(await page.getByText('Disabled ·').count()).toBe(1);
    await page.getByRole('link', { name: `Delete ${hook.url}` }).click();
    await page.getByRole('button', { name: 'Delete endpoint' }).click();
    await page.waitForURL(`${served.origin}/webhooks?deleted=1`);
    expect(await page.getByText('No endpoints yet.').count()).toBe(1);
  });
});
