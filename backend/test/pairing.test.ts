import {
  ApiKeyList,
  ErrorBody,
  MeResponse,
  PairingCreated,
  PairingToken,
  PairingView,
  SessionList,
  SubmitTaskResponse,
} from '@lumina/shared';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionIdOf } from '../src/auth/session-token.ts';
import { pairings, sessions } from '../src/db/schema.ts';
import { grantCredits } from '../src/services/billing/grant-credits.ts';
import { type Browser, dashboardJson, errorCodeOf, signUpBrowser } from './support/accounts.ts';
import { fixture, processForm, startTestBackend, type TestBackend } from './support/harness.ts';

let t: TestBackend;

beforeAll(async () => {
  t = await startTestBackend({}, { background: false });
});
afterAll(async () => {
  await t?.close();
});

/** What the Figma plugin sends: no cookie, and the iframe's `Origin: null`. */
const pluginHeaders = { origin: 'null', 'content-type': 'application/json' };

async function startPairing(body: Record<string, unknown> = { client: 'figma' }): Promise<PairingCreated> {
  const res = await t.request('/api/v1/pairings', {
    method: 'POST',
    headers: pluginHeaders,
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  return PairingCreated.parse(await res.json());
}

const poll = (pollSecret: string) =>
  t.request('/api/v1/pairings/token', { method: 'POST', headers: pluginHeaders, body: JSON.stringify({ pollSecret }) });

/** Moves the last poll back past the interval, as if the plugin had waited its 5 seconds. */
const letIntervalPass = (pairingId: string) =>
  t.backend.ctx.db
    .update(pairings)
    .set({ lastPolledAt: new Date(Date.now() - 60_000) })
    .where(eq(pairings.id, pairingId));

const approve = (browser: Browser, userCode: string, teamId: string) =>
  t.request(`/api/v1/pairings/${userCode}/approve`, dashboardJson(browser, 'POST', { teamId }));

/** Pairs a Figma plugin for the browser user's team and returns the plugin's bearer token. */
async function pairPlugin(browser: Browser, teamId: string): Promise<PairingToken> {
  const pairing = await startPairing();
  expect((await approve(browser, pairing.userCode, teamId)).status).toBe(200);
  const res = await poll(pairing.pollSecret);
  expect(res.status).toBe(200);
  return PairingToken.parse(await res.json());
}

describe('starting a pairing', () => {
  it('gives a short unambiguous code, a dashboard URL under PUBLIC_BASE_URL, a poll secret, expiry and interval', async () => {
    const pairing = await startPairing({ client: 'adobe-express', label: 'Express on the iPad' });
    expect(pairing.userCode).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(pairing.verificationUri).toBe('http://lumina.test/pair');
    expect(pairing.verificationUriComplete).toBe(`http://lumina.test/pair?code=${pairing.userCode}`);
    expect(pairing).toMatchObject({ expiresIn: 600, interval: 5 });
    const [row] = await t.backend.ctx.db.select().from(pairings).where(eq(pairings.id, pairing.pairingId));
    expect(row).toMatchObject({ status: 'pending', client: 'adobe-express', label: 'Express on the iPad' });
    expect(row?.pollSecretHash).toBe(sessionIdOf(pairing.pollSecret));
    expect(JSON.stringify(row)).not.toContain(pairing.pollSecret);
  });

  it('refuses an unknown client with invalid_request', async () => {
    const res = await t.request('/api/v1/pairings', {
      method: 'POST',
      headers: pluginHeaders,
      body: JSON.stringify({ client: 'sketch' }),
    });
    expect(res.status).toBe(400);
    expect(await errorCodeOf(res)).toBe('invalid_request');
  });
});

describe('approving a pairing', () => {
  it('shows the person which plugin asks, then hands the plugin a token once, which works on /me and /process', async () => {
    const ada = await signUpBrowser(t);
    const studio = await t.request('/api/v1/teams', dashboardJson(ada, 'POST', { name: 'Studio' }));
    const { id: teamId } = (await studio.json()) as { id: string };
    await grantCredits({ ctx: t.backend.ctx, input: { teamId, credits: 5 } });

    const pairing = await startPairing();
    const pending = await poll(pairing.pollSecret);
    expect(pending.status).toBe(400);
    expect(await errorCodeOf(pending)).toBe('pairing_pending');

    // The person opens the link, typed in any case and spacing.
    const typed = pairing.userCode.toLowerCase().replace('-', ' ');
    const shown = await t.request(`/api/v1/pairings/${encodeURIComponent(typed)}`, { headers: ada.headers() });
    expect(shown.status).toBe(200);
    expect(PairingView.parse(await shown.json())).toMatchObject({
      pairingId: pairing.pairingId,
      client: 'figma',
      label: 'Figma plugin',
      status: 'pending',
    });
    const approved = await approve(ada, pairing.userCode, teamId);
    expect(approved.status).toBe(200);
    expect(PairingView.parse(await approved.json()).status).toBe('approved');

    await letIntervalPass(pairing.pairingId);
    const tokenRes = await poll(pairing.pollSecret);
    expect(tokenRes.status).toBe(200);
    const token = PairingToken.parse(await tokenRes.json());
    expect(token).toMatchObject({ tokenType: 'Bearer', teamId });
    expect(token.token).toMatch(/^[a-z2-7]{32}$/);
    const [session] = await t.backend.ctx.db
      .select()
      .from(sessions)
      .where(eq(sessions.id, sessionIdOf(token.token)));
    expect(session).toMatchObject({ kind: 'plugin', teamId, userId: ada.userId, label: 'Figma plugin' });

    // The plugin sends a bearer token and no cookie: no CSRF check applies, and it acts for the approved team only.
    const bearer = { authorization: `Bearer ${token.token}` };
    const me = MeResponse.parse(await (await t.request('/api/v1/me', { headers: bearer })).json());
    expect(me.user.id).toBe(ada.userId);
    expect(me.session.kind).toBe('plugin');
    expect(me.activeTeamId).toBe(teamId);
    expect(me.teams.map((team) => team.id)).toEqual([teamId]);
    const ignoresHeader = MeResponse.parse(
      await (await t.request('/api/v1/me', { headers: { ...bearer, 'lumina-team': ada.personalTeamId } })).json(),
    );
    expect(ignoresHeader.activeTeamId).toBe(teamId);

    const submitted = await t.request('/api/v1/process', {
      method: 'POST',
      headers: { ...bearer, origin: 'null' },
      body: processForm(fixture('horse.png')),
    });
    expect(submitted.status).toBe(202);
    const { taskId } = SubmitTaskResponse.parse(await submitted.json());
    expect((await t.taskRow(taskId))?.teamId).toBe(teamId);
    expect(await t.team(teamId)).toEqual({ balance: 4, reserved: 1 });

    // Exactly once: the next poll, however late, gets no second token.
    await letIntervalPass(pairing.pairingId);
    const reused = await poll(pairing.pollSecret);
    expect(reused.status).toBe(410);
    expect(await errorCodeOf(reused)).toBe('pairing_consumed');
    const again = await approve(ada, pairing.userCode, teamId);
    expect(again.status).toBe(410);
    expect(await errorCodeOf(again)).toBe('pairing_consumed');
  });

  it('lists the plugin among the sessions and stops its token when revoked', async () => {
    const ada = await signUpBrowser(t);
    const token = await pairPlugin(ada, ada.personalTeamId);
    const list = SessionList.parse(await (await t.request('/api/v1/sessions', { headers: ada.headers() })).json());
    expect(list.sessions.find((s) => s.id === token.sessionId)).toMatchObject({
      kind: 'plugin',
      label: 'Figma plugin',
      teamId: ada.personalTeamId,
      current: false,
    });
    const revoke = await t.request(`/api/v1/sessions/${token.sessionId}`, dashboardJson(ada, 'DELETE'));
    expect(revoke.status).toBe(204);
    const refused = await t.request('/api/v1/me', { headers: { authorization: `Bearer ${token.token}` } });
    expect(refused.status).toBe(401);
    expect(await errorCodeOf(refused)).toBe('unauthorized');
    expect((await t.request('/api/v1/me', { headers: ada.headers() })).status).toBe(200);
  });

  it('ends plugin sessions on sign out everywhere', async () => {
    const ada = await signUpBrowser(t);
    const token = await pairPlugin(ada, ada.personalTeamId);
    expect((await t.request('/api/v1/auth/sign-out-everywhere', dashboardJson(ada, 'POST'))).status).toBe(200);
    expect((await t.request('/api/v1/me', { headers: { authorization: `Bearer ${token.token}` } })).status).toBe(401);
  });

  it('lets a plugin sign itself out', async () => {
    const ada = await signUpBrowser(t);
    const token = await pairPlugin(ada, ada.personalTeamId);
    const bearer = { authorization: `Bearer ${token.token}` };
    expect((await t.request('/api/v1/auth/sign-out', { method: 'POST', headers: bearer })).status).toBe(204);
    expect((await t.request('/api/v1/me', { headers: bearer })).status).toBe(401);
  });

  it('stops a plugin token when its user leaves the approved team', async () => {
    const owner = await signUpBrowser(t, 'Olga');
    const ada = await signUpBrowser(t);
    const studio = await t.request('/api/v1/teams', dashboardJson(owner, 'POST', { name: 'Studio' }));
    const { id: teamId } = (await studio.json()) as { id: string };
    const invite = await t.request(`/api/v1/teams/${teamId}/invites`, dashboardJson(owner, 'POST', {}));
    const { link } = (await invite.json()) as { link: string };
    const accepted = await t.request(
      '/api/v1/invites/accept',
      dashboardJson(ada, 'POST', { token: new URL(link).searchParams.get('token') }),
    );
    expect(accepted.status).toBe(200);
    const token = await pairPlugin(ada, teamId);
    const bearer = { authorization: `Bearer ${token.token}` };
    expect((await t.request('/api/v1/tasks', { headers: bearer })).status).toBe(200);
    expect(
      (await t.request(`/api/v1/teams/${teamId}/members/${ada.userId}`, dashboardJson(owner, 'DELETE'))).status,
    ).toBe(204);
    expect((await t.request('/api/v1/tasks', { headers: bearer })).status).toBe(401);
  });

  it('refuses approving for a team the person is not in, with the same 404 as a missing team', async () => {
    const ada = await signUpBrowser(t);
    const bob = await signUpBrowser(t, 'Bob');
    const pairing = await startPairing();
    const stranger = await approve(ada, pairing.userCode, bob.personalTeamId);
    const missing = await approve(ada, pairing.userCode, 'team_missing');
    expect(stranger.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(ErrorBody.parse(await stranger.json()).error.message).toBe(
      ErrorBody.parse(await missing.json()).error.message,
    );
    const [row] = await t.backend.ctx.db.select().from(pairings).where(eq(pairings.id, pairing.pairingId));
    expect(row?.status).toBe('pending');
  });

  it('does not let a plugin token manage the account', async () => {
    const ada = await signUpBrowser(t);
    const token = await pairPlugin(ada, ada.personalTeamId);
    const bearer = { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' };
    const keys = await t.request(`/api/v1/teams/${ada.personalTeamId}/api-keys`, {
      method: 'POST',
      headers: bearer,
      body: JSON.stringify({ name: 'escalate' }),
    });
    expect(keys.status).toBe(403);
    expect(await errorCodeOf(keys)).toBe('forbidden');
    const other = await startPairing();
    const chain = await t.request(`/api/v1/pairings/${other.userCode}/approve`, {
      method: 'POST',
      headers: bearer,
      body: JSON.stringify({ teamId: ada.personalTeamId }),
    });
    expect(chain.status).toBe(403);
    const list = ApiKeyList.parse(
      await (await t.request(`/api/v1/teams/${ada.personalTeamId}/api-keys`, { headers: ada.headers() })).json(),
    );
    expect(list.apiKeys).toEqual([]);
  });
});

describe('pairing states', () => {
  it('gives the token to exactly one of several simultaneous polls', async () => {
    const ada = await signUpBrowser(t);
    const pairing = await startPairing();
    expect((await approve(ada, pairing.userCode, ada.personalTeamId)).status).toBe(200);
    const answers = await Promise.all(Array.from({ length: 8 }, () => poll(pairing.pollSecret)));
    expect(answers.filter((res) => res.status === 200)).toHaveLength(1);
    const plugins = await t.backend.ctx.db.select().from(sessions).where(eq(sessions.userId, ada.userId));
    expect(plugins.filter((s) => s.kind === 'plugin')).toHaveLength(1);
  });

  it('answers slow_down to a poll within the interval', async () => {
    const pairing = await startPairing();
    expect(await errorCodeOf(await poll(pairing.pollSecret))).toBe('pairing_pending');
    const fast = await poll(pairing.pollSecret);
    expect(fast.status).toBe(429);
    expect(fast.headers.get('retry-after')).toBe('5');
    const body = ErrorBody.parse(await fast.json());
    expect(body.error.code).toBe('pairing_slow_down');
    expect(body.error.details).toEqual({ interval: 5 });
  });

  it('expires: neither approval nor polling works after expires_at', async () => {
    const ada = await signUpBrowser(t);
    const pairing = await startPairing();
    await t.backend.ctx.db
      .update(pairings)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(pairings.id, pairing.pairingId));
    const shown = PairingView.parse(
      await (await t.request(`/api/v1/pairings/${pairing.userCode}`, { headers: ada.headers() })).json(),
    );
    expect(shown.status).toBe('expired');
    const approved = await approve(ada, pairing.userCode, ada.personalTeamId);
    expect(approved.status).toBe(410);
    expect(await errorCodeOf(approved)).toBe('pairing_expired');
    const polled = await poll(pairing.pollSecret);
    expect(polled.status).toBe(410);
    expect(await errorCodeOf(polled)).toBe('pairing_expired');
  });

  it('expires an approved pairing whose token was never fetched in time', async () => {
    const ada = await signUpBrowser(t);
    const pairing = await startPairing();
    expect((await approve(ada, pairing.userCode, ada.personalTeamId)).status).toBe(200);
    await t.backend.ctx.db
      .update(pairings)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(pairings.id, pairing.pairingId));
    expect(await errorCodeOf(await poll(pairing.pollSecret))).toBe('pairing_expired');
    expect(await t.backend.ctx.db.select().from(sessions).where(eq(sessions.userId, ada.userId))).toHaveLength(1);
  });

  it('is denied: the poll says so and the pairing cannot be approved afterwards', async () => {
    const ada = await signUpBrowser(t);
    const pairing = await startPairing();
    const denied = await t.request(`/api/v1/pairings/${pairing.userCode}/deny`, dashboardJson(ada, 'POST'));
    expect(denied.status).toBe(200);
    expect(PairingView.parse(await denied.json()).status).toBe('denied');
    const polled = await poll(pairing.pollSecret);
    expect(polled.status).toBe(403);
    expect(await errorCodeOf(polled)).toBe('pairing_denied');
    const late = await approve(ada, pairing.userCode, ada.personalTeamId);
    expect(late.status).toBe(403);
    expect(await errorCodeOf(late)).toBe('pairing_denied');
  });

  it('answers 404 to an unknown poll secret and an unknown or malformed code', async () => {
    const ada = await signUpBrowser(t);
    expect((await poll('not-a-secret')).status).toBe(404);
    expect((await t.request('/api/v1/pairings/BBBB-BBBB', { headers: ada.headers() })).status).toBe(404);
    expect((await t.request('/api/v1/pairings/0O1I', { headers: ada.headers() })).status).toBe(404);
  });

  it('needs a signed-in person to look at or decide on a pairing', async () => {
    const pairing = await startPairing();
    expect((await t.request(`/api/v1/pairings/${pairing.userCode}`)).status).toBe(401);
    const deny = await t.request(`/api/v1/pairings/${pairing.userCode}/deny`, { method: 'POST' });
    expect(deny.status).toBe(401);
  });
});
