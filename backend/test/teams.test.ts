import {
  ApiKeyCreated,
  ApiKeyList,
  ErrorBody,
  InviteCreated,
  MemberList,
  MeResponse,
  SubmitTaskResponse,
  TaskList,
  TeamView,
} from '@lumina/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantCredits } from '../src/services/billing/grant-credits.ts';
import { type Browser, dashboardJson, errorCodeOf, signUpBrowser } from './support/accounts.ts';
import { fixture, processForm, startTestBackend, type TestBackend } from './support/harness.ts';

let t: TestBackend;
const image = fixture('horse.png');

beforeAll(async () => {
  t = await startTestBackend({}, { background: false });
});
afterAll(async () => {
  await t?.close();
});

async function createTeam(owner: Browser, name = 'Studio'): Promise<string> {
  const res = await t.request('/api/v1/teams', dashboardJson(owner, 'POST', { name }));
  expect(res.status).toBe(201);
  return TeamView.parse(await res.json()).id;
}

async function invite(by: Browser, teamId: string, body: Record<string, unknown> = {}): Promise<InviteCreated> {
  const res = await t.request(`/api/v1/teams/${teamId}/invites`, dashboardJson(by, 'POST', body));
  expect(res.status).toBe(201);
  return InviteCreated.parse(await res.json());
}

const tokenOf = (link: string): string => new URL(link).searchParams.get('token') ?? '';

const accept = (browser: Browser, link: string) =>
  t.request('/api/v1/invites/accept', dashboardJson(browser, 'POST', { token: tokenOf(link) }));

/** A team with an owner, an admin and a member, all joined through invite links. */
async function teamOfThree() {
  const owner = await signUpBrowser(t, 'Olga');
  const admin = await signUpBrowser(t, 'Adam');
  const member = await signUpBrowser(t, 'Mia');
  const teamId = await createTeam(owner);
  expect((await accept(admin, (await invite(owner, teamId, { role: 'admin' })).link)).status).toBe(200);
  expect((await accept(member, (await invite(owner, teamId)).link)).status).toBe(200);
  return { owner, admin, member, teamId };
}

const members = async (browser: Browser, teamId: string) => {
  const res = await t.request(`/api/v1/teams/${teamId}/members`, { headers: browser.headers() });
  expect(res.status).toBe(200);
  return MemberList.parse(await res.json()).members;
};

describe('teams and invites', () => {
  it('creates a team owned by its creator and lets invited people join with the invite role', async () => {
    const { owner, admin, member, teamId } = await teamOfThree();
    const list = await members(member, teamId);
    expect(list.map((m) => [m.userId, m.role])).toEqual([
      [owner.userId, 'owner'],
      [admin.userId, 'admin'],
      [member.userId, 'member'],
    ]);
    const view = MeResponse.parse(await (await t.request('/api/v1/me', { headers: member.headers() })).json());
    expect(view.teams.find((team) => team.id === teamId)).toMatchObject({ role: 'member', personal: false });
  });

  it('returns the invite link under PUBLIC_BASE_URL and stores only a hash of its token', async () => {
    const owner = await signUpBrowser(t);
    const teamId = await createTeam(owner);
    const created = await invite(owner, teamId, { role: 'member' });
    expect(created.link).toMatch(/^http:\/\/lumina\.test\/invite\?token=[a-z2-7]{32}$/);
    const rows = await t.backend.ctx.db.query.invites.findMany({ where: (i, { eq }) => eq(i.teamId, teamId) });
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(tokenOf(created.link));
  });

  it('lets an invite be used once, refuses an expired one, and one made out to another address', async () => {
    const owner = await signUpBrowser(t);
    const first = await signUpBrowser(t, 'First');
    const second = await signUpBrowser(t, 'Second');
    const teamId = await createTeam(owner);
    const link = (await invite(owner, teamId)).link;
    expect((await accept(first, link)).status).toBe(200);
    const reused = await accept(second, link);
    expect(reused.status).toBe(410);
    expect(await errorCodeOf(reused)).toBe('invite_unusable');

    const forFirst = await invite(owner, teamId, { email: first.email.toUpperCase() });
    expect(forFirst.email).toBe(first.email);
    const wrongPerson = await accept(second, forFirst.link);
    expect(wrongPerson.status).toBe(410);
    expect(await errorCodeOf(wrongPerson)).toBe('invite_unusable');

    const late = await invite(owner, teamId);
    await t.backend.ctx.db.execute(
      `update invites set expires_at = now() - interval '1 second' where id = '${late.inviteId}'`,
    );
    const expired = await accept(second, late.link);
    expect(expired.status).toBe(410);
    expect((await members(owner, teamId)).map((m) => m.userId)).not.toContain(second.userId);

    const unknown = await t.request('/api/v1/invites/accept', dashboardJson(second, 'POST', { token: 'nope' }));
    expect(unknown.status).toBe(404);
  });

  it('answers already_member when a member follows another invite to the same team', async () => {
    const { owner, member, teamId } = await teamOfThree();
    const again = await accept(member, (await invite(owner, teamId)).link);
    expect(again.status).toBe(409);
    expect(await errorCodeOf(again)).toBe('already_member');
  });
});

describe('roles', () => {
  it('refuses a member managing keys, members or invites with 403 forbidden', async () => {
    const { owner, member, teamId } = await teamOfThree();
    const attempts = [
      t.request(`/api/v1/teams/${teamId}/api-keys`, { headers: member.headers() }),
      t.request(`/api/v1/teams/${teamId}/api-keys`, dashboardJson(member, 'POST', { name: 'sneaky' })),
      t.request(`/api/v1/teams/${teamId}/invites`, dashboardJson(member, 'POST', {})),
      t.request(`/api/v1/teams/${teamId}/members/${owner.userId}`, dashboardJson(member, 'PATCH', { role: 'member' })),
      t.request(`/api/v1/teams/${teamId}/members/${owner.userId}`, dashboardJson(member, 'DELETE')),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect(await errorCodeOf(res)).toBe('forbidden');
    }
    const keys = await t.backend.ctx.db.query.apiKeys.findMany({ where: (k, { eq }) => eq(k.teamId, teamId) });
    expect(keys).toEqual([]);
    expect((await members(owner, teamId)).map((m) => m.role)).toEqual(['owner', 'admin', 'member']);
  });

  it('lets an admin manage members and admins but not owners', async () => {
    const { owner, admin, member, teamId } = await teamOfThree();
    const promote = await t.request(
      `/api/v1/teams/${teamId}/members/${member.userId}`,
      dashboardJson(admin, 'PATCH', { role: 'admin' }),
    );
    expect(promote.status).toBe(200);
    const toOwner = await t.request(
      `/api/v1/teams/${teamId}/members/${member.userId}`,
      dashboardJson(admin, 'PATCH', { role: 'owner' }),
    );
    expect(toOwner.status).toBe(403);
    const removeOwner = await t.request(
      `/api/v1/teams/${teamId}/members/${owner.userId}`,
      dashboardJson(admin, 'DELETE'),
    );
    expect(removeOwner.status).toBe(403);
    const ownerInvite = await t.request(
      `/api/v1/teams/${teamId}/invites`,
      dashboardJson(admin, 'POST', { role: 'owner' }),
    );
    expect(ownerInvite.status).toBe(403);
    const remove = await t.request(`/api/v1/teams/${teamId}/members/${member.userId}`, dashboardJson(admin, 'DELETE'));
    expect(remove.status).toBe(204);
    expect((await members(owner, teamId)).map((m) => [m.userId, m.role])).toEqual([
      [owner.userId, 'owner'],
      [admin.userId, 'admin'],
    ]);
    // The removed member no longer reaches the team at all.
    const gone = await t.request(`/api/v1/teams/${teamId}/members`, { headers: member.headers() });
    expect(gone.status).toBe(404);
  });

  it('keeps the last owner: no demotion or leaving until another owner exists', async () => {
    const { owner, admin, teamId } = await teamOfThree();
    const demote = await t.request(
      `/api/v1/teams/${teamId}/members/${owner.userId}`,
      dashboardJson(owner, 'PATCH', { role: 'admin' }),
    );
    expect(demote.status).toBe(409);
    expect(await errorCodeOf(demote)).toBe('last_owner');
    const leave = await t.request(`/api/v1/teams/${teamId}/members/${owner.userId}`, dashboardJson(owner, 'DELETE'));
    expect(leave.status).toBe(409);

    const handOver = await t.request(
      `/api/v1/teams/${teamId}/members/${admin.userId}`,
      dashboardJson(owner, 'PATCH', { role: 'owner' }),
    );
    expect(handOver.status).toBe(200);
    const leaveNow = await t.request(`/api/v1/teams/${teamId}/members/${owner.userId}`, dashboardJson(owner, 'DELETE'));
    expect(leaveNow.status).toBe(204);
    expect((await members(admin, teamId)).map((m) => m.role)).toEqual(['owner', 'member']);
  });

  it('lets a member spend from the team pool through the dashboard session', async () => {
    const { member, teamId } = await teamOfThree();
    await grantCredits({ ctx: t.backend.ctx, input: { teamId, credits: 3 } });
    const res = await t.request('/api/v1/process', {
      method: 'POST',
      headers: member.headers({ 'lumina-team': teamId }),
      body: processForm(image),
    });
    expect(res.status).toBe(202);
    SubmitTaskResponse.parse(await res.json());
    expect(await t.team(teamId)).toEqual({ balance: 2, reserved: 1 });
  });
});

describe('API keys', () => {
  it('creates a key shown once, lists it without its secret, records its use and refuses it once revoked', async () => {
    const { admin, teamId } = await teamOfThree();
    const res = await t.request(`/api/v1/teams/${teamId}/api-keys`, dashboardJson(admin, 'POST', { name: 'ci' }));
    expect(res.status).toBe(201);
    const key = ApiKeyCreated.parse(await res.json());
    expect(key.secret).toMatch(/^lum_/);
    expect(key.secret.startsWith(key.prefix)).toBe(true);

    const bearer = { authorization: `Bearer ${key.secret}` };
    expect((await t.request('/api/v1/tasks', { headers: bearer })).status).toBe(200);

    const listRes = await t.request(`/api/v1/teams/${teamId}/api-keys`, { headers: admin.headers() });
    const text = await listRes.text();
    expect(text).not.toContain(key.secret);
    const [listed] = ApiKeyList.parse(JSON.parse(text)).apiKeys;
    expect(listed).toMatchObject({ id: key.id, name: 'ci', prefix: key.prefix, revokedAt: null });
    expect(listed?.lastUsedAt).not.toBeNull();

    const revoke = await t.request(`/api/v1/teams/${teamId}/api-keys/${key.id}`, dashboardJson(admin, 'DELETE'));
    expect(revoke.status).toBe(204);
    const refused = await t.request('/api/v1/tasks', { headers: bearer });
    expect(refused.status).toBe(401);
    expect(await errorCodeOf(refused)).toBe('unauthorized');
    const after = ApiKeyList.parse(
      await (await t.request(`/api/v1/teams/${teamId}/api-keys`, { headers: admin.headers() })).json(),
    );
    expect(after.apiKeys[0]?.revokedAt).not.toBeNull();
  });

  it('refuses an API key managing keys: only a signed-in person does', async () => {
    const team = await t.newTeam(0);
    const res = await t.request(`/api/v1/teams/${team.teamId}/api-keys`, { headers: team.auth });
    expect(res.status).toBe(403);
    expect(await errorCodeOf(res)).toBe('forbidden');
  });
});

describe('another team', () => {
  it("sees neither a team's keys nor its tasks: the same 404 as something missing", async () => {
    const alice = await signUpBrowser(t, 'Alice');
    const mallory = await signUpBrowser(t, 'Mallory');
    const aliceTeam = await createTeam(alice, 'Alice & co');
    await grantCredits({ ctx: t.backend.ctx, input: { teamId: aliceTeam, credits: 2 } });
    const keyRes = await t.request(
      `/api/v1/teams/${aliceTeam}/api-keys`,
      dashboardJson(alice, 'POST', { name: 'prod' }),
    );
    const key = ApiKeyCreated.parse(await keyRes.json());
    const submitted = await t.request('/api/v1/process', {
      method: 'POST',
      headers: { authorization: `Bearer ${key.secret}` },
      body: processForm(image),
    });
    const { taskId } = SubmitTaskResponse.parse(await submitted.json());

    const pairs: Array<[Response, Response]> = [
      // Listing the other team's keys vs. a team that does not exist.
      [
        await t.request(`/api/v1/teams/${aliceTeam}/api-keys`, { headers: mallory.headers() }),
        await t.request('/api/v1/teams/team_missing/api-keys', { headers: mallory.headers() }),
      ],
      // Revoking the other team's key through one's own team vs. a key that does not exist.
      [
        await t.request(`/api/v1/teams/${mallory.personalTeamId}/api-keys/${key.id}`, dashboardJson(mallory, 'DELETE')),
        await t.request(
          `/api/v1/teams/${mallory.personalTeamId}/api-keys/key_missing`,
          dashboardJson(mallory, 'DELETE'),
        ),
      ],
      // The other team's task vs. a missing task.
      [
        await t.request(`/api/v1/tasks/${taskId}`, { headers: mallory.headers() }),
        await t.request(`/api/v1/tasks/task_${'0'.repeat(26)}`, { headers: mallory.headers() }),
      ],
      // Acting for the other team with the Lumina-Team header vs. a missing team.
      [
        await t.request('/api/v1/tasks', { headers: mallory.headers({ 'lumina-team': aliceTeam }) }),
        await t.request('/api/v1/tasks', { headers: mallory.headers({ 'lumina-team': 'team_missing' }) }),
      ],
    ];
    for (const [other, missing] of pairs) {
      expect(other.status).toBe(404);
      expect(missing.status).toBe(404);
      const a = ErrorBody.parse(await other.json()).error;
      const b = ErrorBody.parse(await missing.json()).error;
      expect([a.code, a.message]).toEqual([b.code, b.message]);
    }
    // Mallory's own history is empty; Alice's key still works.
    const own = TaskList.parse(await (await t.request('/api/v1/tasks', { headers: mallory.headers() })).json());
    expect(own.data).toEqual([]);
    expect(
      (await t.request(`/api/v1/tasks/${taskId}`, { headers: { authorization: `Bearer ${key.secret}` } })).status,
    ).toBe(200);
  });
});
