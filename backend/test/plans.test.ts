import { BillingOverview, CheckoutResponse, MeResponse, SubmitTaskResponse, TaskView } from '@lumina/shared';
import { and, eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditLedger } from '../src/db/schema.ts';
import { ensureMonthlyAllowance } from '../src/services/billing/ensure-monthly-allowance.ts';
import { postLedgerEntry } from '../src/services/billing/ledger.ts';
import { utcMonthOf } from '../src/services/teams/team-plan.ts';
import { type Browser, dashboardJson, signUpBrowser } from './support/accounts.ts';
import { completeAsWorker, cutoutPng } from './support/complete-task.ts';
import { fixture, processForm, startTestBackend, type TestBackend } from './support/harness.ts';
import { type StripeStandIn, startStripeStandIn } from './support/stripe-stand-in.ts';

let stripe: StripeStandIn;
let t: TestBackend;

beforeAll(async () => {
  stripe = await startStripeStandIn();
  // Billing on (the plans come with it), the default allowance of 10 free credits a month.
  t = await startTestBackend({ ...stripe.env }, { background: false });
  stripe.webhookTarget = t.request;
});
afterAll(async () => {
  await t?.close();
  await stripe?.close();
});

const thisMonth = () => utcMonthOf(new Date());
const monthBefore = (month: string) => {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return utcMonthOf(new Date(Date.UTC(year, m - 2, 15)));
};
const monthAfter = (month: string) => {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, m, 15));
};

const allowances = (teamId: string) =>
  t.backend.ctx.db
    .select()
    .from(creditLedger)
    .where(and(eq(creditLedger.teamId, teamId), eq(creditLedger.kind, 'allowance')))
    .orderBy(creditLedger.id);

const billing = async (browser: Browser) => {
  const res = await t.request('/api/v1/billing', { headers: browser.headers() });
  expect(res.status).toBe(200);
  return BillingOverview.parse(await res.json());
};

const submit = (browser: Browser) =>
  t.request('/api/v1/process', { method: 'POST', headers: browser.headers(), body: processForm(fixture('horse.png')) });

/** Buys the starter pack through the stand-in's payment page (which delivers the signed webhook). */
async function buyStarterPack(browser: Browser) {
  const res = await t.request('/api/v1/billing/checkout', dashboardJson(browser, 'POST', { packId: 'starter' }));
  const { url } = CheckoutResponse.parse(await res.json());
  expect((await fetch(url, { method: 'POST', redirect: 'manual' })).status).toBe(303);
}

describe('the free plan allowance', () => {
  it('tops a free team up to FREE_MONTHLY_CREDITS once a month, however often it looks or submits', async () => {
    const owner = await signUpBrowser(t);
    const teamId = owner.personalTeamId;
    expect(await billing(owner)).toMatchObject({ plan: 'free', balance: 10, freeMonthlyCredits: 10 });
    await billing(owner);
    await t.request('/api/v1/me', { headers: owner.headers() });
    expect((await submit(owner)).status).toBe(202);
    expect((await submit(owner)).status).toBe(202);
    await Promise.all([billing(owner), billing(owner), submit(owner)]);

    const rows = await allowances(teamId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ allowanceMonth: thisMonth(), balanceDelta: 10 });
    expect(await t.team(teamId)).toEqual({ balance: 7, reserved: 3 });
  });

  it('grants on the first submit of the month, and /me shows it', async () => {
    const owner = await signUpBrowser(t);
    expect((await submit(owner)).status).toBe(202);
    const me = MeResponse.parse(await (await t.request('/api/v1/me', { headers: owner.headers() })).json());
    expect(me.teams.find((team) => team.id === owner.personalTeamId)).toMatchObject({ balance: 9, reserved: 1 });
    expect(await allowances(owner.personalTeamId)).toHaveLength(1);
  });

  it("grants this month's allowance after last month's, topping up rather than adding", async () => {
    const owner = await signUpBrowser(t);
    const teamId = owner.personalTeamId;
    const previous = monthBefore(thisMonth());
    // Last month's grant, as it would have been written then; 4 of its credits are left over.
    await t.backend.ctx.db.transaction((tx) =>
      postLedgerEntry(tx, { teamId, kind: 'allowance', balanceDelta: 4, reservedDelta: 0, allowanceMonth: previous }),
    );
    expect((await billing(owner)).balance).toBe(10);
    expect((await allowances(teamId)).map((r) => [r.allowanceMonth, r.balanceDelta])).toEqual([
      [previous, 4],
      [thisMonth(), 6],
    ]);

    // Next month (the service takes the clock as input): one more top-up, and only one.
    expect((await submit(owner)).status).toBe(202);
    const next = monthAfter(thisMonth());
    expect(await ensureMonthlyAllowance({ ctx: t.backend.ctx, input: { teamId, now: next } })).toEqual({ granted: 1 });
    expect(await ensureMonthlyAllowance({ ctx: t.backend.ctx, input: { teamId, now: next } })).toBeNull();
    expect(await t.team(teamId)).toEqual({ balance: 10, reserved: 1 });
    expect(await allowances(teamId)).toHaveLength(3);
  });

  it('gives a paid team no allowance', async () => {
    const owner = await signUpBrowser(t);
    const teamId = owner.personalTeamId;
    await billing(owner);
    await buyStarterPack(owner);
    const view = await billing(owner);
    expect(view).toMatchObject({ plan: 'paid', balance: 110 });
    expect(
      await ensureMonthlyAllowance({ ctx: t.backend.ctx, input: { teamId, now: monthAfter(thisMonth()) } }),
    ).toBeNull();
    expect(await allowances(teamId)).toHaveLength(1);
  });
});

describe('the free plan watermark', () => {
  it("serves a free team's result watermarked, and the clean stored bytes once the team has bought credits", async () => {
    const owner = await signUpBrowser(t);
    const res = await submit(owner);
    expect(res.status).toBe(202);
    const { taskId } = SubmitTaskResponse.parse(await res.json());
    const stored = await cutoutPng();
    const task = await completeAsWorker(t, taskId, stored);
    const view = TaskView.parse(
      await (await t.request(`/api/v1/tasks/${taskId}`, { headers: owner.headers() })).json(),
    );
    const resultUrl = new URL(view.resultUrl ?? '');
    const fetchResult = () => t.request(resultUrl.pathname + resultUrl.search);

    const free = await fetchResult();
    expect(free.status).toBe(200);
    expect(free.headers.get('x-lumina-watermark')).toBe('free-plan');
    expect(free.headers.get('cache-control')).toBe('private, no-cache');
    const marked = Buffer.from(await free.arrayBuffer());
    expect(marked.equals(stored)).toBe(false);
    const markedMeta = await sharp(marked).metadata();
    expect([markedMeta.format, markedMeta.width, markedMeta.height, markedMeta.hasAlpha]).toEqual([
      'png',
      64,
      48,
      true,
    ]);
    // The mark is drawn on the copy only: the stored object is untouched.
    expect(Buffer.from((await t.backend.ctx.store.get(task.outputKey))?.body ?? []).equals(stored)).toBe(true);

    await buyStarterPack(owner);
    const paid = await fetchResult();
    expect(paid.status).toBe(200);
    expect(paid.headers.get('x-lumina-watermark')).toBe('none');
    expect(Buffer.from(await paid.arrayBuffer()).equals(stored)).toBe(true);
  });

  it('serves clean results when billing is off (no plans without Stripe)', async () => {
    const off = await startTestBackend({}, { background: false });
    try {
      const key = `results/task_${'1'.repeat(26)}.png`;
      const stored = fixture('horse.png');
      await off.backend.ctx.store.put(key, stored, 'image/png');
      const signed = new URL(off.backend.ctx.signedUrls.sign(key, 60).url);
      const res = await off.request(signed.pathname + signed.search);
      expect(res.headers.get('x-lumina-watermark')).toBe('none');
      expect(Buffer.from(await res.arrayBuffer()).equals(stored)).toBe(true);
    } finally {
      await off.close();
    }
  });
});
