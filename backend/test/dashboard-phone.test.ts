import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type ServedBackend, serveTestBackend } from './support/browser.ts';

// The dashboard on a 375 × 812 phone: every page keeps to the screen's width and every action can be reached.
let served: ServedBackend;
let browser: Browser;

beforeAll(async () => {
  served = await serveTestBackend();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await served?.close();
});

const pages = ['/', '/studio', '/tasks', '/billing', '/keys', '/webhooks', '/team', '/sessions'];

async function signUpOnPhone(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 375, height: 812 } });
  const page = await context.newPage();
  await page.goto(`${served.origin}/sign-up`);
  await page.getByLabel('Name').fill('Phone');
  await page.getByLabel('E-mail').fill(`phone-${randomBytes(4).toString('hex')}@example.com`);
  await page.getByLabel('Password').fill(`correct horse ${randomBytes(4).toString('hex')}`);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(`${served.origin}/`);
  return page;
}

describe('the dashboard at 375 × 812', () => {
  it('opens every page with nothing wider than the screen and every action button clickable', async () => {
    const page = await signUpOnPhone();
    for (const path of pages) {
      await page.goto(`${served.origin}${path}`);
      await page.waitForLoadState('networkidle');
      // What pokes out, named by tag and class, so a failure says where to look.
      const tooWide = (await page.evaluate(`[...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
        .map((e) => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))
        .slice(0, 5)`)) as string[];
      const fits = (await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')) as boolean;
      // Rows of a table that scrolls in its own box reach past the screen too; they only count when the page grew.
      expect({ path, tooWide: fits ? [] : tooWide }).toEqual({ path, tooWide: [] });
      // Disabled buttons say so on purpose (billing switched off here); every other one must take a click.
      const buttons = page.locator('main button:visible:enabled, header button:visible:enabled');
      for (let i = 0; i < (await buttons.count()); i++) {
        const button = buttons.nth(i);
        // A trial click runs every check a real click does (visible, stable, not covered) without clicking.
        const clickable = await button.click({ trial: true, timeout: 5_000 }).then(
          () => true,
          () => false,
        );
        expect(clickable ? null : `${path}: ${await button.textContent()}`).toBeNull();
      }
    }
    await page.context().close();
  });
});
