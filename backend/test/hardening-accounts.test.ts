import {
  CheckoutResponse,
  InviteCreated,
  PairingCreated,
  PairingToken,
  StripeWebhookAck,
  SubmitTaskResponse,
  TaskView,
  TeamView,
} from '@lumina/shared';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkouts, creditLedger, sessions, tasks } from '../src/db/schema.ts';
import { grantCredits } from '../src/services/billing/grant-credits.ts';
import { purgeExpiredTasks } from '../src/services/tasks/purge-expired-tasks.ts';
import { type Browser, dashboardJson, dashboardOrigin, errorCodeOf, signUpBrowser } from './support/accounts.ts';
import { completeAsWorker, cutoutPng } from './support/complete-task.ts';
import { fixture, processForm, startTestBackend, type TestBackend } from './support/harness.ts';
import { type StripeStandIn, startStripeStandIn, withPaymentStatus } from './support/stripe-stand-in.ts';

let stripe: StripeStandIn;
let t: TestBackend;
const image = fixture('horse.png');

beforeAll(async () => {
  stripe = await startStripeStandIn();
  // No free allowance, so a balance is exactly what was granted; a database of its own for the retention job.
  t = await startTestBackend({ ...stripe.env, FREE_MONTHLY_CREDITS: '0' }, { background: false, ownDatabase: true });
  stripe.webhookTarget = t.request;
});
afterAll(async () => {
  await t?.close();
  await stripe?.close();
});

async function createTeam(owner: Browser): Promise<string> {
  const res = await t.request('/api/v1/teams', dashboardJson(owner, 'POST', { name: 'Studio' }));
  expect(res.status).toBe(201);
  return TeamView.parse(await res.json()).id;
}

async function invite(by: Browser, teamId: string, body: Record<string, unknown> = {}): Promise<InviteCreated> {
  const res = await t.request(`/api/v1/teams/${teamId}/invites`, dashboardJson(by, 'POST', body));
  expect(res.status).toBe(201);
  return InviteCreated.parse(await res.json());
}

const accept = (browser: Browser, link: string) =>
  t.request(
    '/api/v1/invites/accept',
    dashboardJson(browser, 'POST', { token: new URL(link).searchParams.get('token') ?? '' }),
  );

const removeMember = (by: Browser, teamId: string, userId: string) =>
  t.request(`/api/v1/teams/${teamId}/members/${userId}`, dashboardJson(by, 'DELETE'));

const patchMember = (by: Browser, teamId: string, userId: string, body: Record<string, unknown>) =>
  t.request(`/api/v1/teams/${teamId}/members/${userId}`, dashboardJson(by, 'PATCH', body));

async function join(teamId: string, by: Browser, role: 'owner' | 'admin' | 'member', name: string) {
  const person = await signUpBrowser(t, name);
  expect((await accept(person, (await invite(by, teamId, { role })).link)).status).toBe(200);
  return person;
}

describe('item 3: invites are revocable and die with their inviter', () => {
  it('item 3: a removed admin cannot come back through an admin invite they made', async () => {
    const alice = await signUpBrowser(t, 'Alice');
    const teamId = await createTeam(alice);
    const bob = await join(teamId, alice, 'admin', 'Bob');
    const own = await invite(bob, teamId, { role: 'admin' });
    expect((await removeMember(alice, teamId, bob.userId)).status).toBe(204);

    const back = await accept(bob, own.link);
    expect(back.status).toBe(410);
    expect(await errorCodeOf(back)).toBe('invite_unusable');
    // Nor can anybody else use it: removing Bob revoked it.
    const carol = await signUpBrowser(t, 'Carol');
    expect((await accept(carol, own.link)).status).toBe(410);
    const list = await t.request(`/api/v1/teams/${teamId}/members`, { headers: alice.headers() });
    expect(JSON.stringify(await list.json())).not.toContain(bob.userId);
  });

  it('item 3: an admin revokes a pending invite through the API, and its link stops working', async () => {
    const alice = await signUpBrowser(t, 'Alice');
    const teamId = await createTeam(alice);
    const admin = await join(teamId, alice, 'admin', 'Adam');
    const pending = await invite(alice, teamId);
    const ownerInvite = await invite(alice, teamId, { role: 'owner' });

    const refused = await t.request(
      `/api/v1/teams/${teamId}/invites/${ownerInvite.inviteId}`,
      dashboardJson(admin, 'DELETE'),
    );
    expect(refused.status).toBe(403);
    const revoked = await t.request(
      `/api/v1/teams/${teamId}/invites/${pending.inviteId}`,
      dashboardJson(admin, 'DELETE'),
    );
    expect(revoked.status).toBe(204);
    const again = await t.request(
      `/api/v1/teams/${teamId}/invites/${pending.inviteId}`,
      dashboardJson(admin, 'DELETE'),
    );
    expect(again.status).toBe(404);

    const dora = await signUpBrowser(t, 'Dora');
    const res = await accept(dora, pending.link);
    expect(res.status).toBe(410);
    expect(await errorCodeOf(res)).toBe('invite_unusable');
  });

  it('item 3: the dashboard lists pending invites with a Revoke button that revokes', async () => {
    const alice = await signUpBrowser(t, 'Alice');
    const teamId = await createTeam(alice);
    const pending = await invite(alice, teamId);
    const headers = alice.headers({
      'lumina-team': teamId,
      cookie: `lumina_session=${alice.token}; lumina_team=${teamId}`,
    });
    const page = await (await t.request('/team', { headers })).text();
    const action = `/team/invites/${pending.inviteId}/revoke`;
    expect(page).toContain(action);

    const posted = await t.request(action, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(posted.status).toBe(303);
    expect(await (await t.request('/team', { headers })).text()).not.toContain(action);
    expect((await accept(await signUpBrowser(t, 'Eve'), pending.link)).status).toBe(410);
  });

  it('item 3: accepting re-checks the inviter: an admin demoted to member no longer grants admin', async () => {
    const alice = await signUpBrowser(t, 'Alice');
    const teamId = await createTeam(alice);
    const bob = await join(teamId, alice, 'admin', 'Bob');
    const own = await invite(bob, teamId, { role: 'admin' });
    expect((await patchMember(alice, teamId, bob.userId, { role: 'member' })).status).toBe(200);
    const mallory = await signUpBrowser(t, 'Mallory');
    const res = await accept(mallory, own.link);
    expect(res.status).toBe(410);
    expect(await errorCodeOf(res)).toBe('invite_unusable');
  });
});

describe('item 6: Stripe grants only checkouts this service created', () => {
  it('item 6: a signed completed event for a session Lumina never created grants nothing', async () => {
    const owner = await signUpBrowser(t, 'Olga');
    const res = await t.request(
      '/api/v1/billing/checkout',
      dashboardJson(owner, 'POST', { packId: 'starter' }, { 'lumina-team': owner.personalTeamId }),
    );
    const real = stripe.session(CheckoutResponse.parse(await res.json()).checkoutId);
    // A session made elsewhere on the same Stripe account, with metadata of the attacker's choosing.
    const forged = withPaymentStatus(
      {
        ...real,
        id: `cs_test_foreign${Date.now()}`,
        amount_total: 50,
        amount_subtotal: 50,
        metadata: { teamId: owner.personalTeamId, packId: 'starter', credits: '1000000' },
      },
      'paid',
    );
    const answer = await stripe.deliver(t.request, 'checkout.session.completed', forged);
    expect(answer.status).toBe(200);
    expect(StripeWebhookAck.parse(await answer.json()).outcome).toBe('ignored');
    expect(await t.team(owner.personalTeamId)).toEqual({ balance: 0, reserved: 0 });
    expect(await t.backend.ctx.db.select().from(checkouts).where(eq(checkouts.id, forged.id))).toHaveLength(0);
  });

  it('item 6: a paid event whose amount or currency differs from the recorded checkout is refused', async () => {
    const owner = await signUpBrowser(t, 'Olga');
    const start = async () => {
      const res = await t.request(
        '/api/v1/billing/checkout',
        dashboardJson(owner, 'POST', { packId: 'starter' }, { 'lumina-team': owner.personalTeamId }),
      );
      return stripe.session(CheckoutResponse.parse(await res.json()).checkoutId);
    };
    const cheap = withPaymentStatus({ ...(await start()), amount_total: 50 }, 'paid');
    const ack = await stripe.deliver(t.request, 'checkout.session.completed', cheap);
    expect(StripeWebhookAck.parse(await ack.json()).outcome).toBe('refused');
    const foreign = withPaymentStatus({ ...(await start()), currency: 'jpy' }, 'paid');
    const ack2 = await stripe.deliver(t.request, 'checkout.session.completed', foreign);
    expect(StripeWebhookAck.parse(await ack2.json()).outcome).toBe('refused');

    expect(await t.team(owner.personalTeamId)).toEqual({ balance: 0, reserved: 0 });
    const purchases = await t.backend.ctx.db
      .select()
      .from(creditLedger)
      .where(and(eq(creditLedger.teamId, owner.personalTeamId), eq(creditLedger.kind, 'purchase')));
    expect(purchases).toHaveLength(0);
    // The genuine amount still grants the pack.
    const fair = withPaymentStatus(await start(), 'paid');
    const ack3 = await stripe.deliver(t.request, 'checkout.session.completed', fair);
    expect(StripeWebhookAck.parse(await ack3.json()).outcome).toBe('granted');
    expect((await t.team(owner.personalTeamId)).balance).toBe(100);
  });
});

/** A shared team with `credits`, its owner, an admin and a member. */
async function teamOfThree(credits: number) {
  const owner = await signUpBrowser(t, 'Olga');
  const teamId = await createTeam(owner);
  const admin = await join(teamId, owner, 'admin', 'Adam');
  const member = await join(teamId, owner, 'member', 'Mia');
  if (credits > 0) await grantCredits({ ctx: t.backend.ctx, input: { teamId, credits } });
  return { owner, admin, member, teamId };
}

const submitAs = (browser: Browser, teamId: string, bytes: Uint8Array = image) =>
  t.request('/api/v1/process', {
    method: 'POST',
    headers: browser.headers({ 'lumina-team': teamId }),
    body: processForm(bytes),
  });

describe('item 7: monthly spend survives retention', () => {
  it('item 7: a capped member stays capped after retention deleted their tasks of this month', async () => {
    const { owner, member, teamId } = await teamOfThree(10);
    expect((await patchMember(owner, teamId, member.userId, { monthlySpendCap: 2 })).status).toBe(200);
    const png = await cutoutPng();
    // Two different images: a repeat of completed work would be a free duplicate.
    for (const name of ['horse.png', 'coffee.png']) {
      const res = await submitAs(member, teamId, fixture(name));
      expect(res.status).toBe(202);
      await completeAsWorker(t, SubmitTaskResponse.parse(await res.json()).taskId, png);
    }
    expect((await submitAs(member, teamId, fixture('chelsea.png'))).status).toBe(402);

    // The free plan's retention: the tasks expire and the retention job deletes them and their objects.
    await t.backend.ctx.db
      .update(tasks)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(tasks.teamId, teamId));
    expect((await purgeExpiredTasks({ ctx: t.backend.ctx })).deleted).toBeGreaterThanOrEqual(2);
    expect(await t.backend.ctx.db.select().from(tasks).where(eq(tasks.teamId, teamId))).toHaveLength(0);

    const after = await submitAs(member, teamId, fixture('chelsea.png'));
    expect(after.status).toBe(402);
    expect(await errorCodeOf(after)).toBe('spending_cap_reached');
  });
});

describe('item 9: duplicates refer to the stored objects instead of copying them', () => {
  const served = async (auth: Record<string, string>, taskId: string) => {
    const view = TaskView.parse(await (await t.request(`/api/v1/tasks/${taskId}`, { headers: auth })).json());
    const url = new URL(view.resultUrl ?? '');
    return t.request(`${url.pathname}${url.search}`);
  };

  it('item 9: 30 duplicates store nothing new, and retention keeps the objects while any task uses them', async () => {
    const team = await t.newTeam(5);
    const store = t.backend.ctx.store;
    const submit = () => t.request('/api/v1/process', { method: 'POST', headers: team.auth, body: processForm(image) });
    const first = SubmitTaskResponse.parse(await (await submit()).json());
    const { outputKey } = await completeAsWorker(t, first.taskId, await cutoutPng());
    const before = { inputs: await store.list('inputs/'), results: await store.list('results/') };

    const copies: string[] = [];
    for (let i = 0; i < 30; i += 1) {
      const res = await submit();
      expect(res.headers.get('x-credits-charged')).toBe('0');
      copies.push(SubmitTaskResponse.parse(await res.json()).taskId);
    }
    expect(await store.list('inputs/')).toEqual(before.inputs);
    expect(await store.list('results/')).toEqual(before.results);
    const original = Buffer.from(await (await served(team.auth, first.taskId)).arrayBuffer());
    const copy = await served(team.auth, copies[0] ?? '');
    expect(copy.status).toBe(200);
    expect(Buffer.from(await copy.arrayBuffer()).equals(original)).toBe(true);

    // The original expires first: its row goes, its objects stay for the duplicates.
    const expire = (ids: string[]) =>
      t.backend.ctx.db
        .update(tasks)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where(inArray(tasks.id, ids));
    await expire([first.taskId]);
    await purgeExpiredTasks({ ctx: t.backend.ctx });
    expect(await t.taskRow(first.taskId)).toBeUndefined();
    expect(await store.get(outputKey)).not.toBeNull();
    const afterOriginal = await served(team.auth, copies[29] ?? '');
    expect(afterOriginal.status).toBe(200);
    expect(Buffer.from(await afterOriginal.arrayBuffer()).equals(original)).toBe(true);

    // Once the last task using them is gone, so are the objects.
    await expire(copies);
    await purgeExpiredTasks({ ctx: t.backend.ctx });
    expect(await store.get(outputKey)).toBeNull();
    expect(before.inputs).toContain(`inputs/${first.taskId}`);
    expect(await store.get(`inputs/${first.taskId}`)).toBeNull();
  });
});

describe('item 8: caps are set from above', () => {
  it('item 8: an admin cannot lift or change their own cap', async () => {
    const { owner, admin, teamId } = await teamOfThree(0);
    expect((await patchMember(owner, teamId, admin.userId, { monthlySpendCap: 5 })).status).toBe(200);
    const lift = await patchMember(admin, teamId, admin.userId, { monthlySpendCap: null });
    expect(lift.status).toBe(403);
    expect(await errorCodeOf(lift)).toBe('forbidden');
    expect((await patchMember(admin, teamId, admin.userId, { monthlySpendCap: 500 })).status).toBe(403);
  });

  it('item 8: an admin caps members but not another admin; only another owner caps an owner', async () => {
    const { owner, admin, member, teamId } = await teamOfThree(0);
    const admin2 = await join(teamId, owner, 'admin', 'Abe');
    expect((await patchMember(admin, teamId, member.userId, { monthlySpendCap: 3 })).status).toBe(200);
    expect((await patchMember(admin, teamId, admin2.userId, { monthlySpendCap: 3 })).status).toBe(403);
    expect((await patchMember(admin, teamId, owner.userId, { monthlySpendCap: 3 })).status).toBe(403);
    expect((await patchMember(owner, teamId, owner.userId, { monthlySpendCap: 3 })).status).toBe(403);
    const owner2 = await join(teamId, owner, 'owner', 'Otto');
    expect((await patchMember(owner2, teamId, owner.userId, { monthlySpendCap: 3 })).status).toBe(200);
  });
});

describe('item 13: a plugin token cannot end browser sessions', () => {
  async function pluginToken(browser: Browser): Promise<PairingToken> {
    const plugin = { origin: 'null', 'content-type': 'application/json' };
    const started = await t.request('/api/v1/pairings', {
      method: 'POST',
      headers: plugin,
      body: JSON.stringify({ client: 'figma' }),
    });
    const pairing = PairingCreated.parse(await started.json());
    const approved = await t.request(
      `/api/v1/pairings/${pairing.userCode}/approve`,
      dashboardJson(browser, 'POST', { teamId: browser.personalTeamId }),
    );
    expect(approved.status).toBe(200);
    const res = await t.request('/api/v1/pairings/token', {
      method: 'POST',
      headers: plugin,
      body: JSON.stringify({ pollSecret: pairing.pollSecret }),
    });
    return PairingToken.parse(await res.json());
  }

  const browserSessions = async (userId: string) =>
    (await t.backend.ctx.db.select().from(sessions).where(eq(sessions.userId, userId))).filter(
      (s) => s.kind === 'browser',
    );

  it('item 13: sign-out-everywhere and revoking a browser session with a plugin token are 403', async () => {
    const ada = await signUpBrowser(t, 'Ada');
    const plugin = await pluginToken(ada);
    const bearer = { authorization: `Bearer ${plugin.token}`, origin: 'null' };
    const [browserSession] = await browserSessions(ada.userId);
    if (!browserSession) throw new Error('no browser session');

    const everywhere = await t.request('/api/v1/auth/sign-out-everywhere', { method: 'POST', headers: bearer });
    expect(everywhere.status).toBe(403);
    const one = await t.request(`/api/v1/sessions/${browserSession.id}`, { method: 'DELETE', headers: bearer });
    expect(one.status).toBe(403);
    expect(await browserSessions(ada.userId)).toHaveLength(1);
    const me = await t.request('/api/v1/me', { headers: { ...ada.headers(), origin: dashboardOrigin } });
    expect(me.status).toBe(200);

    // The plugin may still end itself.
    const self = await t.request(`/api/v1/sessions/${plugin.sessionId}`, { method: 'DELETE', headers: bearer });
    expect(self.status).toBe(204);
  });
});
