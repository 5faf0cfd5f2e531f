/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../http/env.ts';
import { describeBilling } from '../services/billing/describe-billing.ts';
import { summarizeUsage } from '../services/billing/summarize-usage.ts';
import { listTasks } from '../services/tasks/list-tasks.ts';
import { roleIn } from '../services/teams/team-access.ts';
import { PlanStat } from './billing-page.tsx';
import { GetStarted } from './get-started.tsx';
import { activeTeamOf, canManage, Layout } from './layout.tsx';
import { RecentTasks, recentTaskCount } from './recent-tasks.tsx';
import { renderPage } from './render-page.ts';
import { UsageChart } from './usage-chart.tsx';
import { meOf, safeNext, setActiveTeam, signedIn, webUserOf } from './web-session.ts';

const usageDays = 30;
const SwitchTeamForm = z.object({ teamId: z.string().min(1), next: z.string().optional() });

/** `/`: the active team's pool and plan, usage over the last 30 days, and the way to buy more credits. */
export const dashboardPage = new Hono<AppEnv>()
  .get('/', signedIn, async (c) => {
    const user = webUserOf(c);
    // Billing first: looking at it tops up a free team's monthly allowance, which the balance then shows.
    const billing = await describeBilling({ ctx: c.var.ctx, input: { teamId: user.teamId } });
    const [me, usage, recent] = await Promise.all([
      meOf(c),
      summarizeUsage({ ctx: c.var.ctx, input: { userId: user.userId, teamId: user.teamId, days: usageDays } }),
      listTasks({ ctx: c.var.ctx, input: { teamId: user.teamId, query: { limit: recentTaskCount } } }),
    ]);
    const team = activeTeamOf(me);
    return renderPage(
      c,
      <Layout title="Dashboard" me={me} path="/">
        <h1>{team.name}</h1>
        <p class="muted">
          You are {team.role === 'owner' ? 'the owner' : `${team.role === 'admin' ? 'an' : 'a'} ${team.role}`} of this
          team{team.personal ? ' (your personal team)' : ''}.
        </p>
        {recent.data.length === 0 && (
          <GetStarted baseUrl={c.var.ctx.config.publicBaseUrl} managesKeys={canManage(team.role)} />
        )}
        <dl class="grid">
          <div class="card stat">
            <dt>Balance</dt>
            <dd>
              <span data-testid="balance">{billing.balance}</span> <span class="unit">credits</span>
            </dd>
          </div>
          <div class="card stat">
            <dt>Reserved by running tasks</dt>
            <dd>
              <span data-testid="reserved">{billing.reserved}</span> <span class="unit">credits</span>
            </dd>
          </div>
          <PlanStat billing={billing} />
        </dl>
        <p class="actions" style="margin-top: 1rem">
          <a class="button" href="/billing">
            Buy credits
          </a>
          <a href="/tasks">Task history</a>
          {canManage(team.role) && <a href="/keys">API keys</a>}
        </p>
        <h2>Usage</h2>
        <UsageChart days={usage.days} />
        <RecentTasks tasks={recent.data} />
      </Layout>,
    );
  })
  .post('/switch-team', signedIn, async (c) => {
    const user = webUserOf(c);
    const form = SwitchTeamForm.parse(await c.req.parseBody());
    // Only a team the person is in; anything else leaves the active team as it was.
    if (await roleIn(c.var.ctx.db, { userId: user.userId, teamId: form.teamId })) setActiveTeam(c, form.teamId);
    return c.redirect(safeNext(form.next), 303);
  });
