import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeNext } from '../src/web/web-session.ts';
import { dashboardOrigin, signUpBrowser } from './support/accounts.ts';
import { startTestBackend, type TestBackend } from './support/harness.ts';

// Issue 13, item 5: `next=/%09/evil.example/x` answered `Location: /\t/evil.example/x`, which browsers follow to
// evil.example (they drop tabs and newlines), and a newline in `next` made the sign-in a 500.
let t: TestBackend;

beforeAll(async () => {
  t = await startTestBackend({}, { background: false });
});
afterAll(async () => {
  await t?.close();
});

const signInWithNext = async (next: string) => {
  const ada = await signUpBrowser(t);
  return t.request('/sign-in', {
    method: 'POST',
    headers: { origin: dashboardOrigin, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: ada.email, password: ada.password, next }).toString(),
  });
};

describe('issue 13 item 5: the sign-in redirect stays on this site', () => {
  it('refuses next values that browsers would follow to another site', async () => {
    for (const next of [
      '/\t/evil.example/x',
      '/\n/evil.example/x',
      '/\r\n/evil.example',
      '/\\evil.example',
      '//evil.example',
    ]) {
      const res = await signInWithNext(next);
      expect(res.status, JSON.stringify(next)).toBe(303);
      expect(res.headers.get('location'), JSON.stringify(next)).toBe('/');
    }
  });

  it('answers a newline in next with the redirect home, not a 500', async () => {
    const res = await signInWithNext('/keys\nSet-Cookie: x=1');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
  });

  it('keeps a path on this site, normalised, with its query', async () => {
    const res = await signInWithNext('/team/../keys?tab=new');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/keys?tab=new');
  });

  it('carries no control character from the sign-in page query into the form', async () => {
    const page = await t.request(`/sign-in?next=${encodeURIComponent('/\t/evil.example/x')}`);
    expect(page.status).toBe(200);
    expect(await page.text()).not.toContain('evil.example');
  });

  it('accepts only what parses as a path on this site', () => {
    expect(safeNext('/pair?code=ABCD-EFGH')).toBe('/pair?code=ABCD-EFGH');
    expect(safeNext('/%2F/evil.example')).toBe('/%2F/evil.example');
    expect(safeNext('/ok#part')).toBe('/ok#part');
    for (const refused of ['', 'keys', 'https://evil.example/', '/\u0000x', '/x\u007f', '\t/x', 42, undefined]) {
      expect(safeNext(refused), JSON.stringify(refused)).toBe('/');
    }
  });
});
