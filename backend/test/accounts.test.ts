import { ErrorBody, MeResponse, SessionList } from '@lumina/shared';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionIdOf } from '../src/auth/session-token.ts';
import { sessions, teams, users } from '../src/db/schema.ts';
import {
  type Browser,
  dashboardJson,
  dashboardOrigin,
  errorCodeOf,
  sessionCookieIn,
  signUpBrowser,
} from './support/accounts.ts';
import { startTestBackend, type TestBackend } from './support/harness.ts';

let t: TestBackend;

beforeAll(async () => {
  t = await startTestBackend({}, { background: false });
});
afterAll(async () => {
  await t?.close();
});

const dayMs = 24 * 60 * 60 * 1000;

const me = (browser: Browser, extra: Record<string, string> = {}) =>
  t.request('/api/v1/me', { headers: browser.headers(extra) });

const signIn = (email: string, password: string) =>
  t.request('/api/v1/auth/sign-in', {
    method: 'POST',
    headers: { origin: dashboardOrigin, 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });

const sessionRow = async (token: string) => {
  const [row] = await t.backend.ctx.db
    .select()
    .from(sessions)
    .where(eq(sessions.id, sessionIdOf(token)));
  return row;
};

describe('sign-up and sign-in', () => {
  it('signs up into an HttpOnly SameSite=Lax cookie session with a personal team the user owns', async () => {
    const res = await t.request('/api/v1/auth/sign-up', {
      method: 'POST',
      headers: { origin: dashboardOrigin, 'content-type': 'application/json' },
      body: JSON.stringify({ email: '  Grace.Hopper@Example.COM ', password: 'a long passphrase', name: 'Grace' }),
    });
    expect(res.status).toBe(201);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('lumina_session='));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/i); // PUBLIC_BASE_URL is http here
    const token = sessionCookieIn(res);
    expect(token).toMatch(/^[a-z2-7]{32}$/); // 20 bytes, base32 lower case, no padding
    const body = await res.json();
    expect(JSON.stringify(body)).not.toContain(token); // the token travels in the cookie only

    // Stored: the e-mail lower-cased, the password as argon2id, the session as the token's SHA-256 only.
    const [user] = await t.backend.ctx.db.select().from(users).where(eq(users.email, 'grace.hopper@example.com'));
    expect(user?.passwordHash).toMatch(/^\$argon2id\$/);
    const row = await sessionRow(token ?? '');
    expect(row).toMatchObject({ userId: user?.id, kind: 'browser', teamId: null });
    expect(
      await t.backend.ctx.db
        .select()
        .from(sessions)
        .where(eq(sessions.id, token ?? '')),
    ).toEqual([]);
    expect((row?.expiresAt.getTime() ?? 0) - Date.now()).toBeGreaterThan(29 * dayMs);

    const meRes = await t.request('/api/v1/me', {
      headers: { cookie: `lumina_session=${token}` },
    });
    expect(meRes.status).toBe(200);
    const view = MeResponse.parse(await meRes.json());
    expect(view.user).toMatchObject({ email: 'grace.hopper@example.com', name: 'Grace' });
    expect(view.session.kind).toBe('browser');
    expect(view.teams).toEqual([
      expect.objectContaining({ id: view.activeTeamId, role: 'owner', personal: true, balance: 0, reserved: 0 }),
    ]);
    const [team] = await t.backend.ctx.db.select().from(teams).where(eq(teams.id, view.activeTeamId));
    expect(team?.personalOwnerUserId).toBe(user?.id);
  });

  it('refuses a second account for the same e-mail in any letter case', async () => {
    const ada = await signUpBrowser(t);
    const again = await t.request('/api/v1/auth/sign-up', {
      method: 'POST',
      headers: { origin: dashboardOrigin, 'content-type': 'application/json' },
      body: JSON.stringify({ email: ada.email.toUpperCase(), password: 'another password', name: 'Eve' }),
    });
    expect(again.status).toBe(409);
    expect(await errorCodeOf(again)).toBe('email_taken');
    expect(sessionCookieIn(again)).toBeNull();
  });

  it('refuses a too-short password and a malformed e-mail at sign-up with invalid_request', async () => {
    const res = await t.request('/api/v1/auth/sign-up', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'not-an-address', password: 'short', name: 'X' }),
    });
    expect(res.status).toBe(400);
    const body = ErrorBody.parse(await res.json());
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.details?.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'email' }),
        expect.objectContaining({ path: 'password' }),
      ]),
    );
  });

  it('signs in with the right password, case-insensitively on the e-mail, into a new session', async () => {
    const ada = await signUpBrowser(t);
    const res = await signIn(ada.email.toUpperCase(), ada.password);
    expect(res.status).toBe(200);
    const token = sessionCookieIn(res);
    expect(token).not.toBeNull();
    expect(token).not.toBe(ada.token);
    const view = MeResponse.parse(
      await (await t.request('/api/v1/me', { headers: { cookie: `lumina_session=${token}` } })).json(),
    );
    expect(view.user.id).toBe(ada.userId);
  });

  it('answers a wrong password and an unknown e-mail identically, without a session', async () => {
    const ada = await signUpBrowser(t);
    const wrong = await signIn(ada.email, 'not the password');
    const unknown = await signIn(`nobody-${ada.userId}@example.com`, 'not the password');
    const short = await signIn(ada.email, 'x');
    for (const res of [wrong, unknown, short]) {
      expect(res.status).toBe(401);
      expect(sessionCookieIn(res)).toBeNull();
    }
    const bodies = await Promise.all([wrong, unknown, short].map(async (r) => ErrorBody.parse(await r.json()).error));
    const { requestId: _a, ...first } = bodies[0] ?? { requestId: '' };
    for (const { requestId: _b, ...other } of bodies) expect(other).toEqual(first);
    expect(first).toEqual({ code: 'invalid_credentials', message: 'The e-mail address or the password is wrong.' });
  });

  it('refuses API keys on /me: a key acts for a team, not a person', async () => {
    const team = await t.newTeam(0);
    const res = await t.request('/api/v1/me', { headers: team.auth });
    expect(res.status).toBe(403);
    expect(await errorCodeOf(res)).toBe('forbidden');
  });
});

describe('sessions', () => {
  it('signs out: the cookie is cleared and the session no longer works', async () => {
    const ada = await signUpBrowser(t);
    const res = await t.request('/api/v1/auth/sign-out', { method: 'POST', headers: ada.headers() });
    expect(res.status).toBe(204);
    expect(res.headers.getSetCookie().join()).toMatch(/lumina_session=;.*Max-Age=0/i);
    expect(await sessionRow(ada.token)).toBeUndefined();
    const after = await me(ada);
    expect(after.status).toBe(401);
    expect(await errorCodeOf(after)).toBe('unauthorized');
  });

  it('ends an expired session and deletes it', async () => {
    const ada = await signUpBrowser(t);
    await t.backend.ctx.db
      .update(sessions)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(sessions.id, sessionIdOf(ada.token)));
    const res = await me(ada);
    expect(res.status).toBe(401);
    expect(await errorCodeOf(res)).toBe('unauthorized');
    expect(await sessionRow(ada.token)).toBeUndefined();
  });

  it('extends a session used with less than 15 days left to 30 days and re-sends the cookie', async () => {
    const ada = await signUpBrowser(t);
    await t.backend.ctx.db
      .update(sessions)
      .set({ expiresAt: new Date(Date.now() + 10 * dayMs) })
      .where(eq(sessions.id, sessionIdOf(ada.token)));
    const res = await me(ada);
    expect(res.status).toBe(200);
    expect(sessionCookieIn(res)).toBe(ada.token);
    const row = await sessionRow(ada.token);
    expect((row?.expiresAt.getTime() ?? 0) - Date.now()).toBeGreaterThan(29 * dayMs);

    // With more than 15 days left nothing changes and no cookie is sent.
    const again = await me(ada);
    expect(sessionCookieIn(again)).toBeNull();
    expect((await sessionRow(ada.token))?.expiresAt).toEqual(row?.expiresAt);
  });

  it('lists the sessions and revokes one, leaving the others working', async () => {
    const ada = await signUpBrowser(t);
    const laptop = sessionCookieIn(await signIn(ada.email, ada.password));
    if (!laptop) throw new Error('no second session');
    const list = SessionList.parse(await (await t.request('/api/v1/sessions', { headers: ada.headers() })).json());
    expect(list.sessions).toHaveLength(2);
    expect(list.sessions.filter((s) => s.current).map((s) => s.id)).toEqual([sessionIdOf(ada.token)]);

    const revoked = await t.request(`/api/v1/sessions/${sessionIdOf(laptop)}`, {
      method: 'DELETE',
      headers: ada.headers(),
    });
    expect(revoked.status).toBe(204);
    expect((await t.request('/api/v1/me', { headers: { cookie: `lumina_session=${laptop}` } })).status).toBe(401);
    expect((await me(ada)).status).toBe(200);
  });

  it("answers another user's session id with the same 404 as a missing one, and leaves it alive", async () => {
    const ada = await signUpBrowser(t);
    const bob = await signUpBrowser(t, 'Bob');
    const other = await t.request(`/api/v1/sessions/${sessionIdOf(bob.token)}`, {
      method: 'DELETE',
      headers: ada.headers(),
    });
    const missing = await t.request(`/api/v1/sessions/${'0'.repeat(64)}`, { method: 'DELETE', headers: ada.headers() });
    expect(other.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(ErrorBody.parse(await other.json()).error.message).toBe(ErrorBody.parse(await missing.json()).error.message);
    expect((await me(bob)).status).toBe(200);
  });

  it('signs out everywhere: every session of the user ends, other users keep theirs', async () => {
    const ada = await signUpBrowser(t);
    const bob = await signUpBrowser(t, 'Bob');
    const phone = sessionCookieIn(await signIn(ada.email, ada.password));
    const res = await t.request('/api/v1/auth/sign-out-everywhere', { method: 'POST', headers: ada.headers() });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ revoked: 2 });
    expect((await me(ada)).status).toBe(401);
    expect((await t.request('/api/v1/me', { headers: { cookie: `lumina_session=${phone}` } })).status).toBe(401);
    expect(await t.backend.ctx.db.select().from(sessions).where(eq(sessions.userId, ada.userId))).toEqual([]);
    expect((await me(bob)).status).toBe(200);
  });

  it('does not take a browser session token as a bearer token', async () => {
    const ada = await signUpBrowser(t);
    const res = await t.request('/api/v1/me', { headers: { authorization: `Bearer ${ada.token}` } });
    expect(res.status).toBe(401);
  });
});

describe('CSRF', () => {
  it('refuses a cookie-authenticated change from another origin, and one that states no origin', async () => {
    const ada = await signUpBrowser(t);
    const foreign = await t.request('/api/v1/auth/sign-out', {
      method: 'POST',
      headers: { cookie: `lumina_session=${ada.token}`, origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect(await errorCodeOf(foreign)).toBe('csrf_rejected');
    const crossSite = await t.request('/api/v1/teams', {
      method: 'POST',
      headers: {
        cookie: `lumina_session=${ada.token}`,
        'sec-fetch-site': 'cross-site',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ name: 'forged' }),
    });
    expect(crossSite.status).toBe(403);
    expect(await errorCodeOf(crossSite)).toBe('csrf_rejected');
    const silent = await t.request('/api/v1/auth/sign-out', {
      method: 'POST',
      headers: { cookie: `lumina_session=${ada.token}` },
    });
    expect(silent.status).toBe(403);
    expect(await errorCodeOf(silent)).toBe('csrf_rejected');
    // None of them took effect: the session is alive and no team was made.
    expect(await sessionRow(ada.token)).toBeDefined();
    expect(MeResponse.parse(await (await me(ada)).json()).teams).toHaveLength(1);

    const sameOrigin = await t.request('/api/v1/auth/sign-out', {
      method: 'POST',
      headers: { cookie: `lumina_session=${ada.token}`, 'sec-fetch-site': 'same-origin' },
    });
    expect(sameOrigin.status).toBe(204);
  });

  it('refuses sign-in posted from another origin (login CSRF)', async () => {
    const ada = await signUpBrowser(t);
    const res = await t.request('/api/v1/auth/sign-in', {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ email: ada.email, password: ada.password }),
    });
    expect(res.status).toBe(403);
    expect(sessionCookieIn(res)).toBeNull();
  });
});

describe('the team a browser session acts for', () => {
  it("is the personal team by default, another of the user's teams by Lumina-Team, never a stranger's", async () => {
    const ada = await signUpBrowser(t);
    const bob = await signUpBrowser(t, 'Bob');
    const created = await t.request('/api/v1/teams', dashboardJson(ada, 'POST', { name: 'Studio' }));
    expect(created.status).toBe(201);
    const { id: studioId } = (await created.json()) as { id: string };

    expect(MeResponse.parse(await (await me(ada)).json()).activeTeamId).toBe(ada.personalTeamId);
    const inStudio = MeResponse.parse(await (await me(ada, { 'lumina-team': studioId })).json());
    expect(inStudio.activeTeamId).toBe(studioId);
    expect(inStudio.teams.map((team) => [team.id, team.role, team.personal])).toEqual([
      [ada.personalTeamId, 'owner', true],
      [studioId, 'owner', false],
    ]);

    const stranger = await me(bob, { 'lumina-team': studioId });
    const missing = await me(bob, { 'lumina-team': 'team_doesnotexist' });
    expect(stranger.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(ErrorBody.parse(await stranger.json()).error.message).toBe(
      ErrorBody.parse(await missing.json()).error.message,
    );
  });
});

describe('Secure cookie', () => {
  it('marks the session cookie Secure when PUBLIC_BASE_URL is https', async () => {
    const https = await startTestBackend({ PUBLIC_BASE_URL: 'https://lumina.example' }, { background: false });
    try {
      const res = await https.request('/api/v1/auth/sign-up', {
        method: 'POST',
        headers: { origin: 'https://lumina.example', 'content-type': 'application/json' },
        body: JSON.stringify({ email: `secure-${Date.now()}@example.com`, password: 'a long passphrase', name: 'S' }),
      });
      expect(res.status).toBe(201);
      expect(res.headers.getSetCookie().find((c) => c.startsWith('lumina_session='))).toMatch(/;\s*Secure/i);
    } finally {
      await https.close();
    }
  });
});
