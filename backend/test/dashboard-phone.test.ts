import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type ServedBackend, serveTestBackend } from './support/browser.ts';

// The dashboard on a 375 × 812 phone, light and dark: every page, confirmation step and error page keeps to the
// screen's width and every action can be reached; in light mode the focus ring and input borders stand out.
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

const pages = [
  '/',
  '/studio',
  '/tasks',
  '/billing',
  '/keys',
  '/webhooks',
  '/team',
  '/sessions',
  '/sign-out-everywhere',
];

async function signUpOnPhone(colorScheme: 'light' | 'dark'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 375, height: 812 }, colorScheme });
  const page = await context.newPage();
  await page.goto(`${served.origin}/sign-up`);
  await page.getByLabel('Name').fill('Phone');
  await page.getByLabel('E-mail').fill(`phone-${randomBytes(4).toString('hex')}@example.com`);
  await page.getByLabel('Password').fill(`correct horse ${randomBytes(4).toString('hex')}`);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(`${served.origin}/`);
  return page;
}

/** A key, an invite and an endpoint, so the tables have rows and the confirmation pages something to confirm. */
async function fillTables(page: Page): Promise<string[]> {
  await page.goto(`${served.origin}/keys`);
  await page.getByLabel('Name').fill('A key with a rather long name for a phone');
  await page.getByRole('button', { name: 'Create key' }).click();
  await page.waitForURL(`${served.origin}/keys`);
  await page.goto(`${served.origin}/team`);
  await page.getByLabel('E-mail').fill(`someone-${randomBytes(4).toString('hex')}@example.com`);
  await page.getByRole('button', { name: 'Create invite link' }).click();
  await page.waitForURL(`${served.origin}/team`);
  await page.goto(`${served.origin}/webhooks`);
  await page.getByLabel('URL').fill('https://hooks.example.com/a/rather/long/path/for/a/phone/screen');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  await page.waitForURL(`${served.origin}/webhooks`);
  // The confirmation pages, by the links that lead to them.
  const confirms: string[] = [];
  for (const [path, link] of [
    ['/keys', /^Revoke /],
    ['/team', /^Revoke the /],
    ['/webhooks', /^Delete /],
    ['/sessions', /^Sign out$/],
  ] as const) {
    await page.goto(`${served.origin}${path}`);
    const href = await page.getByRole('main').getByRole('link', { name: link }).first().getAttribute('href');
    if (href === null) throw new Error(`no confirmation link on ${path}`);
    confirms.push(href);
  }
  return confirms;
}

/** The relative luminance contrast of two `rgb(…)` colours, as WCAG defines it. */
function contrast(a: string, b: string): number {
  const luminance = (rgb: string) => {
    const [r = 0, g = 0, bl = 0] = (rgb.match(/[\d.]+/g) ?? []).map(Number).map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [dark, light] = [luminance(a), luminance(b)].sort((x, y) => x - y);
  return ((light ?? 0) + 0.05) / ((dark ?? 0) + 0.05);
}

describe('the dashboard at 375 × 812', () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    it(`opens every page (${colorScheme}) with nothing wider than the screen and every action clickable`, async () => {
      const page = await signUpOnPhone(colorScheme);
      const confirms = await fillTables(page);
      for (const path of [...pages, ...confirms, '/no-such-page']) {
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
        // Disabled buttons say so on purpose; every other button, and every link drawn as one, must take a click.
        const actions = page.locator(
          'main button:visible:enabled, header button:visible:enabled, main a.button:visible, header a.button:visible',
        );
        const count = await actions.count();
        expect(count).toBeGreaterThan(0);
        for (let i = 0; i < count; i++) {
          const action = actions.nth(i);
          // A trial click runs every check a real click does (visible, stable, not covered) without clicking.
          const clickable = await action.click({ trial: true, timeout: 5_000 }).then(
            () => true,
            () => false,
          );
          expect(clickable ? null : `${path}: ${await action.textContent()}`).toBeNull();
        }
      }
      await page.context().close();
    });
  }

  it('draws the light focus ring and input borders at 3:1 or more, and placeholders in regular weight', async () => {
    const page = await signUpOnPhone('light');
    await page.goto(`${served.origin}/keys`);
    const input = page.getByLabel('Name');
    await input.focus();
    const styles = (await page.evaluate(`(() => {
      const input = document.activeElement;
      const own = getComputedStyle(input);
      return {
        outline: own.outlineColor,
        outlineStyle: own.outlineStyle,
        border: own.borderTopColor,
        field: own.backgroundColor,
        page: getComputedStyle(document.body).backgroundColor,
        placeholderWeight: getComputedStyle(input, '::placeholder').fontWeight,
        labelWeight: getComputedStyle(input.closest('label')).fontWeight,
      };
    })()`)) as Record<string, string>;
    expect(styles.outlineStyle).toBe('solid');
    const outline = styles.outline ?? '';
    const border = styles.border ?? '';
    expect(contrast(outline, styles.page ?? '')).toBeGreaterThanOrEqual(3);
    expect(contrast(outline, styles.field ?? '')).toBeGreaterThanOrEqual(3);
    expect(contrast(border, styles.page ?? '')).toBeGreaterThanOrEqual(3);
    expect(contrast(border, styles.field ?? '')).toBeGreaterThanOrEqual(3);
    // The label is bold; what the placeholder suggests is not.
    expect(styles.labelWeight).toBe('600');
    expect(styles.placeholderWeight).toBe('400');
    await page.context().close();
  });
});
