import { createHash, randomBytes } from 'node:crypto';
import { MeResponse } from '@lumina/shared';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { teamMembers, teams, users } from '../src/db/schema.ts';
import { dashboardOrigin, sessionCookieIn, signUpBrowser } from './support/accounts.ts';
import { launchChromium, serveTestBackend } from './support/browser.ts';
import { type GoogleAccount, type GoogleStandIn, startGoogleStandIn } from './support/google-stand-in.ts';
import { startTestBackend, type TestBackend } from './support/harness.ts';

/** `name=value` of every cookie a response sets (a `Max-Age=0` one is a deletion and is left out). */
function cookiesSetBy(res: Response): Map<string, string> {
  const jar = new Map<string, string>();
  for (const cookie of res.headers.getSetCookie()) {
    const match = /^([^=]+)=([^;]*)/.exec(cookie);
    if (match?.[1] && !/max-age=0/i.test(cookie)) jar.set(match[1], match[2] ?? '');
  }
  return jar;
}

const cookieHeader = (jar: Map<string, string>): string =>
  [...jar].map(([name, value]) => `${name}=${value}`).join('; ');

const pathOf = (url: URL | string): string => {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
};

const account = (overrides: Partial<GoogleAccount> = {}): GoogleAccount => ({
  sub: `1${randomBytes(10).toString('hex').replace(/\D/g, '7').slice(0, 20)}`,
  email: `grace-${randomBytes(4).toString('hex')}@gmail.com`,
  emailVerified: true,
  name: 'Grace Hopper',
  ...overrides,
});

describe('Google sign-in', () => {
  let google: GoogleStandIn;
  let t: TestBackend;

  beforeAll(async () => {
    google = startGoogleStandIn();
    t = await startTestBackend(google.env, { background: false });
  });
  afterAll(async () => {
    await t?.close();
    await google?.close();
  });

  /** The browser follows `/auth/google` to Google; returns where it was sent and the cookies it now holds. */
  async function start(next?: string) {
    const res = await t.request(`/auth/google${next ? `?next=${encodeURIComponent(next)}` : ''}`);
    expect(res.status).toBe(302);
    const location = res.headers.get('location');
    if (!location) throw new Error('no redirect');
    return { res, location, jar: cookiesSetBy(res) };
  }

  /** The whole round trip: start, consent at the stand-in as `person`, come back to the callback. */
  async function signInAs(person: GoogleAccount, next?: string) {
    const started = await start(next);
    const callback = google.consent(started.location, person);
    return t.request(pathOf(callback), { headers: { cookie: cookieHeader(started.jar) } });
  }

  const usersWithEmail = (email: string) => t.backend.ctx.db.select().from(users).where(eq(users.email, email));

  async function me(token: string) {
    const res = await t.request('/api/v1/me', { headers: { cookie: `lumina_session=${token}` } });
    expect(res.status).toBe(200);
    return MeResponse.parse(await res.json());
  }

  it('sends the browser to Google with the client id, a PKCE S256 challenge and a state kept in HttpOnly cookies', async () => {
    const { res, location, jar } = await start();
    const url = new URL(location);
    expect(`${url.origin}${url.pathname}`).toBe('https://accounts.google.com/o/oauth2/v2/auth');
    expect(url.searchParams.get('client_id')).toBe(google.env.GOOGLE_CLIENT_ID);
    expect(url.searchParams.get('redirect_uri')).toBe(`${dashboardOrigin}/auth/google/callback`);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('scope')?.split(' ').sort()).toEqual(['email', 'openid', 'profile']);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');

    const state = jar.get('lumina_google_state');
    const verifier = jar.get('lumina_google_verifier');
    expect(state).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(url.searchParams.get('state')).toBe(state);
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    const challenge = createHash('sha256')
      .update(verifier ?? '')
      .digest('base64url');
    expect(url.searchParams.get('code_challenge')).toBe(challenge);
    // The verifier never goes to Google in the redirect; it waits in the browser for the code exchange.
    expect(location).not.toContain(verifier);
    for (const cookie of res.headers.getSetCookie().filter((c) => c.startsWith('lumina_google_'))) {
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Lax/i);
      expect(cookie).toMatch(/Path=\/auth\/google/);
      expect(cookie).toMatch(/Max-Age=600/);
    }
  });

  it('creates the user and their personal team on the first sign-in, with a working browser session', async () => {
    const person = account();
    const res = await signInAs(person);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    const token = sessionCookieIn(res);
    expect(token).toBeTruthy();

    const view = await me(token ?? '');
    expect(view.user).toMatchObject({ email: person.email, name: 'Grace Hopper' });
    expect(view.session.kind).toBe('browser');
    expect(view.teams).toEqual([expect.objectContaining({ role: 'owner', personal: true })]);
    const [row] = await usersWithEmail(person.email);
    expect(row).toMatchObject({ googleSub: person.sub, passwordHash: null });
    const [team] = await t.backend.ctx.db
      .select()
      .from(teams)
      .where(eq(teams.personalOwnerUserId, row?.id ?? ''));
    expect(team?.id).toBe(view.activeTeamId);

    // The account has no password: the password form refuses it like any wrong password.
    const withPassword = await t.request('/api/v1/auth/sign-in', {
      method: 'POST',
      headers: { origin: dashboardOrigin, 'content-type': 'application/json' },
      body: JSON.stringify({ email: person.email, password: 'any password at all' }),
    });
    expect(withPassword.status).toBe(401);

    // The session opens the dashboard, and the flow's cookies are spent.
    const dashboard = await t.request('/', { headers: { cookie: `lumina_session=${token}` } });
    expect(dashboard.status).toBe(200);
    const cleared = res.headers.getSetCookie().filter((c) => c.startsWith('lumina_google_'));
    expect(cleared).toHaveLength(3);
    for (const cookie of cleared) expect(cookie).toMatch(/Max-Age=0/i);
  });

  it('finds the same user on a second sign-in, without a second account or team', async () => {
    const person = account();
    const first = await me(sessionCookieIn(await signInAs(person)) ?? '');
    const secondRes = await signInAs({ ...person, name: 'Renamed At Google' });
    expect(secondRes.status).toBe(303);
    const second = await me(sessionCookieIn(secondRes) ?? '');
    expect(second.user.id).toBe(first.user.id);
    expect(second.session.id).not.toBe(first.session.id);
    expect(await usersWithEmail(person.email)).toHaveLength(1);
    const memberships = await t.backend.ctx.db.select().from(teamMembers).where(eq(teamMembers.userId, first.user.id));
    expect(memberships).toHaveLength(1);
  });

  it('links an existing password account with the same verified e-mail instead of making a second one', async () => {
    const existing = await signUpBrowser(t, 'Linus');
    const person = account({ email: existing.email.toUpperCase(), name: 'Linus at Google' });
    const res = await signInAs(person);
    expect(res.status).toBe(303);
    const view = await me(sessionCookieIn(res) ?? '');
    expect(view.user.id).toBe(existing.userId);
    expect(view.activeTeamId).toBe(existing.personalTeamId);
    const rows = await usersWithEmail(existing.email);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.googleSub).toBe(person.sub);
    expect(rows[0]?.passwordHash).toMatch(/^\$argon2id\$/);

    // The password still works, and the next Google sign-in finds the account by its Google id.
    const withPassword = await t.request('/api/v1/auth/sign-in', {
      method: 'POST',
      headers: { origin: dashboardOrigin, 'content-type': 'application/json' },
      body: JSON.stringify({ email: existing.email, password: existing.password }),
    });
    expect(withPassword.status).toBe(200);
    const again = await me(sessionCookieIn(await signInAs({ ...person, email: 'changed-address@gmail.com' })) ?? '');
    expect(again.user.id).toBe(existing.userId);
  });

  it('refuses a Google account whose e-mail address is not verified, creating nothing', async () => {
    const person = account({ emailVerified: false });
    const res = await signInAs(person);
    expect(res.status).toBe(400);
    expect(sessionCookieIn(res)).toBeNull();
    const page = await res.text();
    expect(page).toContain('e-mail address is not verified');
    expect(page).toContain('Continue with Google');
    expect(await usersWithEmail(person.email)).toHaveLength(0);
  });

  it('does not link an unverified Google address to the password account that has it', async () => {
    const existing = await signUpBrowser(t, 'Mallory');
    const res = await signInAs(account({ email: existing.email, emailVerified: false }));
    expect(res.status).toBe(400);
    expect(sessionCookieIn(res)).toBeNull();
    const [row] = await usersWithEmail(existing.email);
    expect(row?.googleSub).toBeNull();
  });

  it('refuses a callback whose state is not the one this browser was given, without redeeming the code', async () => {
    const person = account();
    const started = await start();
    const callback = google.consent(started.location, person);
    const redeemedBefore = google.tokenRequests.length;

    const forged = new URL(callback);
    forged.searchParams.set('state', 'state-from-another-browser');
    const wrongState = await t.request(pathOf(forged), { headers: { cookie: cookieHeader(started.jar) } });
    expect(wrongState.status).toBe(400);
    expect(sessionCookieIn(wrongState)).toBeNull();
    expect(await wrongState.text()).toContain('not started in this browser');

    // The same good callback in a browser that never started the sign-in (login CSRF) is refused too.
    const otherBrowser = await t.request(pathOf(callback));
    expect(otherBrowser.status).toBe(400);
    expect(sessionCookieIn(otherBrowser)).toBeNull();

    expect(google.tokenRequests.length).toBe(redeemedBefore);
    expect(await usersWithEmail(person.email)).toHaveLength(0);
  });

  it('shows the sign-in page when the person cancels at Google or Google refuses the code', async () => {
    const started = await start();
    const canceled = await t.request(
      `/auth/google/callback?error=access_denied&state=${new URL(started.location).searchParams.get('state')}`,
      { headers: { cookie: cookieHeader(started.jar) } },
    );
    expect(canceled.status).toBe(400);
    expect(await canceled.text()).toContain('Google sign-in was canceled');

    // A code Google never issued (or already redeemed) is refused at the token endpoint.
    const again = await start();
    const state = new URL(again.location).searchParams.get('state') ?? '';
    const refused = await t.request(`/auth/google/callback?state=${state}&code=4/0Anever-issued`, {
      headers: { cookie: cookieHeader(again.jar) },
    });
    expect(refused.status).toBe(400);
    expect(sessionCookieIn(refused)).toBeNull();
    expect(await refused.text()).toContain('Google did not accept this sign-in');
    expect(google.tokenRequests.at(-1)).toEqual({ code: '4/0Anever-issued', status: 400 });
  });

  it('brings the person back to a safe `next` and never to another site', async () => {
    const signInPage = await (await t.request('/sign-in?next=%2Ftasks')).text();
    expect(signInPage).toContain('href="/auth/google?next=%2Ftasks"');
    const res = await signInAs(account(), '/pair?code=BCDF-GHJK');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/pair?code=BCDF-GHJK');
    const offsite = await signInAs(account(), '//evil.example/steal');
    expect(offsite.headers.get('location')).toBe('/');
  });

  it('offers "Continue with Google" on the sign-in and sign-up pages', async () => {
    for (const path of ['/sign-in', '/sign-up']) {
      const page = await (await t.request(path)).text();
      expect(page).toContain('href="/auth/google"');
      expect(page).toContain('Continue with Google');
    }
  });
});

describe('Google sign-in when it is not configured', () => {
  let t: TestBackend;

  beforeAll(async () => {
    t = await startTestBackend({}, { background: false });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 404 on its routes and shows no Google button', async () => {
    expect((await t.request('/auth/google')).status).toBe(404);
    expect((await t.request('/auth/google/callback?state=x&code=y')).status).toBe(404);
    for (const path of ['/sign-in', '/sign-up']) {
      const page = await (await t.request(path)).text();
      expect(page).not.toContain('Continue with Google');
      expect(page).not.toContain('/auth/google');
    }
  });
});

describe('Google sign-in in the browser', () => {
  it('takes a person from "Continue with Google" through Google and back to the dashboard, signed in', async () => {
    const google = startGoogleStandIn();
    const served = await serveTestBackend(google.env);
    const browser = await launchChromium();
    try {
      const context = await browser.newContext();
      const person = account({ name: 'Ada Lovelace' });
      // Google's consent screen: the person picks their account and Google redirects back to the callback.
      await context.route('https://accounts.google.com/**', (route) =>
        route.fulfill({ status: 302, headers: { location: google.consent(route.request().url(), person).toString() } }),
      );
      const page = await context.newPage();
      await page.goto(`${served.origin}/tasks`);
      await page.waitForURL(`${served.origin}/sign-in?next=%2Ftasks`);
      await page.getByRole('link', { name: 'Continue with Google' }).click();
      await page.waitForURL(`${served.origin}/tasks`);
      await page.goto(`${served.origin}/`);
      expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(1);
      expect(await page.getByTestId('balance').textContent()).toBe('0');
      const [row] = await served.t.backend.ctx.db.select().from(users).where(eq(users.email, person.email));
      expect(row?.googleSub).toBe(person.sub);
      // The flow's cookies were spent; only the session (HttpOnly) remains.
      const names = (await context.cookies()).map((cookie) => cookie.name);
      expect(names).toContain('lumina_session');
      expect(names.filter((name) => name.startsWith('lumina_google_'))).toEqual([]);
    } finally {
      await browser.close();
      await served.close();
      await google.close();
    }
  });
});
