import { InviteCreated, MemberList, MemberUpdate, SubmitTaskResponse, TeamView } from '@lumina/shared';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tasks } from '../src/db/schema.ts';
import { grantCredits } from '../src/services/billing/grant-credits.ts';
import { settleTask } from '../src/services/tasks/settle-task.ts';
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

/** A shared team with `credits` in its pool, its owner, and a member who joined through an invite link. */
async function teamWithMember(credits: number) {
  const owner = await signUpBrowser(t, 'Olga');
  const member = await signUpBrowser(t, 'Mia');
  const created = await t.request('/api/v1/teams', dashboardJson(owner, 'POST', { name: 'Studio' }));
  const teamId = TeamView.parse(await created.json()).id;
  const invite = await t.request(`/api/v1/teams/${teamId}/invites`, dashboardJson(owner, 'POST', {}));
  const token = new URL(InviteCreated.parse(await invite.json()).link).searchParams.get('token');
  expect((await t.request('/api/v1/invites/accept', dashboardJson(member, 'POST', { token }))).status).toBe(200);
  if (credits > 0) await grantCredits({ ctx: t.backend.ctx, input: { teamId, credits } });
  return { owner, member, teamId };
}

const setCap = (by: Browser, teamId: string, userId: string, monthlySpendCap: number | null) =>
  t.request(`/api/v1/teams/${teamId}/members/${userId}`, dashboardJson(by, 'PATCH', { monthlySpendCap }));

/** A remove-background submit (1 credit) from the member's browser session, acting for `teamId`. */
const submitAs = (browser: Browser, teamId: string) =>
  t.request('/api/v1/process', {
    method: 'POST',
    headers: browser.headers({ 'lumina-team': teamId }),
    body: processForm(image),
  });

const teamTasks = (teamId: string) => t.backend.ctx.db.select().from(tasks).where(eq(tasks.teamId, teamId));

describe('monthly spending caps', () => {
  it('lets an owner set and lift a member cap, and shows it in the member list', async () => {
    const { owner, member, teamId } = await teamWithMember(0);
    const set = await setCap(owner, teamId, member.userId, 7);
    expect(set.status).toBe(200);
    expect(MemberUpdate.parse(await set.json())).toEqual({ userId: member.userId, role: 'member', monthlySpendCap: 7 });
    const list = await t.request(`/api/v1/teams/${teamId}/members`, { headers: member.headers() });
    const members = MemberList.parse(await list.json()).members;
    expect(members.find((m) => m.userId === member.userId)?.monthlySpendCap).toBe(7);
    expect(members.find((m) => m.userId === owner.userId)?.monthlySpendCap).toBeNull();

    const lifted = await setCap(owner, teamId, member.userId, null);
    expect(MemberUpdate.parse(await lifted.json()).monthlySpendCap).toBeNull();
  });

  it('lets only owners and admins set caps', async () => {
    const { owner, member, teamId } = await teamWithMember(0);
    const refused = await setCap(member, teamId, member.userId, 100);
    expect(refused.status).toBe(403);
    expect(await errorCodeOf(refused)).toBe('forbidden');
    const refusedOnOwner = await setCap(member, teamId, owner.userId, 0);
    expect(refusedOnOwner.status).toBe(403);
    const invalid = await setCap(owner, teamId, member.userId, -1);
    expect(invalid.status).toBe(400);
  });

  it('refuses a submit over the cap with spending_cap_reached: no charge and no stored input', async () => {
    const { owner, member, teamId } = await teamWithMember(10);
    expect((await setCap(owner, teamId, member.userId, 2)).status).toBe(200);
    for (let i = 0; i < 2; i += 1) expect((await submitAs(member, teamId)).status).toBe(202);
    const inputsBefore = await t.backend.ctx.store.list('inputs/');

    const refused = await submitAs(member, teamId);
    expect(refused.status).toBe(402);
    expect(await errorCodeOf(refused)).toBe('spending_cap_reached');
    expect(await t.team(teamId)).toEqual({ balance: 8, reserved: 2 });
    expect(await teamTasks(teamId)).toHaveLength(2);
    expect(await t.backend.ctx.store.list('inputs/')).toEqual(inputsBefore);

    // The cap is the member's own: the owner keeps spending from the same pool.
    expect((await submitAs(owner, teamId)).status).toBe(202);
    // Lifting the cap lets the member submit again.
    expect((await setCap(owner, teamId, member.userId, null)).status).toBe(200);
    expect((await submitAs(member, teamId)).status).toBe(202);
    expect(await t.team(teamId)).toEqual({ balance: 6, reserved: 4 });
  });

  it('counts captured and in-flight credits but not released ones', async () => {
    const { owner, member, teamId } = await teamWithMember(10);
    expect((await setCap(owner, teamId, member.userId, 2)).status).toBe(200);
    const first = SubmitTaskResponse.parse(await (await submitAs(member, teamId)).json());
    const second = SubmitTaskResponse.parse(await (await submitAs(member, teamId)).json());
    expect((await submitAs(member, teamId)).status).toBe(402);

    // A failed task gives its credit back, to the pool and to the member's month.
    await settleTask({
      ctx: t.backend.ctx,
      input: { taskId: first.taskId, outcome: { kind: 'failed', code: 'model_failed', message: 'test' } },
    });
    expect((await submitAs(member, teamId)).status).toBe(202);
    expect((await submitAs(member, teamId)).status).toBe(402);
    expect((await t.taskRow(second.taskId))?.submittedByUserId).toBe(member.userId);
  });

  it('holds under concurrency: 20 parallel submits against a cap of 5 accept exactly 5', async () => {
    const { owner, member, teamId } = await teamWithMember(100);
    expect((await setCap(owner, teamId, member.userId, 5)).status).toBe(200);
    const answers = await Promise.all(Array.from({ length: 20 }, () => submitAs(member, teamId)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(5);
    expect(statuses.filter((s) => s === 402)).toHaveLength(15);
    expect(await t.team(teamId)).toEqual({ balance: 95, reserved: 5 });
    expect(await teamTasks(teamId)).toHaveLength(5);
    expect((await t.ledger(teamId)).filter((row) => row.kind === 'reserve')).toHaveLength(5);
  });

  it('does not apply to API keys, which act for the team and no person', async () => {
    const team = await t.newTeam(3);
    const res = await t.request('/api/v1/process', { method: 'POST', headers: team.auth, body: processForm(image) });
    expect(res.status).toBe(202);
    const { taskId } = SubmitTaskResponse.parse(await res.json());
    expect((await t.taskRow(taskId))?.submittedByUserId).toBeNull();
  });
});

describe('a shared pool under concurrency', () => {
  it('accepts exactly 10 of 100 parallel submits over a 10-credit pool', async () => {
    const team = await t.newTeam(10);
    const answers = await Promise.all(
      Array.from({ length: 100 }, () =>
        t.request('/api/v1/process', { method: 'POST', headers: team.auth, body: processForm(image) }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(10);
    expect(statuses.filter((s) => s === 402)).toHaveLength(90);
    for (const refused of answers.filter((a) => a.status === 402)) {
      expect(await errorCodeOf(refused)).toBe('insufficient_credits');
    }
    expect(await t.team(team.teamId)).toEqual({ balance: 0, reserved: 10 });
    expect(await teamTasks(team.teamId)).toHaveLength(10);
    const ledger = await t.ledger(team.teamId);
    expect(ledger.filter((row) => row.kind === 'reserve')).toHaveLength(10);
    expect(ledger.reduce((sum, row) => sum + row.balanceDelta, 0)).toBe(0);
  });
});
