/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { MeResponse, PairingClient, PairingView } from '@lumina/shared';
import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { z } from 'zod';
import { ApiError } from '../errors.ts';
import type { AppEnv } from '../http/env.ts';
import { pairingCodeRateLimit } from '../http/rate-limit.ts';
import { decidePairing } from '../services/pairings/decide-pairing.ts';
import { getPairing } from '../services/pairings/get-pairing.ts';
import { Alert, formatTime, Layout, Notice } from './layout.tsx';
import { renderPage } from './render-page.ts';
import { meOf, signedIn, webUserOf } from './web-session.ts';

const clientNames: Record<PairingClient, { name: string; host: string }> = {
  figma: { name: 'Figma plugin', host: 'Figma' },
  'adobe-express': { name: 'Adobe Express add-on', host: 'Adobe Express' },
};

const DecisionForm = z.object({
  code: z.string().min(1).max(20),
  decision: z.enum(['approve', 'deny']),
  teamId: z.string().min(1).optional(),
});

function CodeForm(props: { code?: string }) {
  return (
    <form class="stack card" method="get" action="/pair">
      <label>
        Code shown in the plugin
        <input name="code" required autocomplete="off" autocapitalize="characters" value={props.code} />
      </label>
      <button type="submit">Continue</button>
    </form>
  );
}

function PairingDetails(props: { pairing: PairingView; me: MeResponse }) {
  const { pairing, me } = props;
  const client = clientNames[pairing.client];
  if (pairing.status !== 'pending') {
    const why =
      pairing.status === 'expired'
        ? 'This code has expired. Start signing in again from the plugin.'
        : pairing.status === 'denied'
          ? 'This request was denied.'
          : 'This request was already approved.';
    return <Alert>{why}</Alert>;
  }
  return (
    <>
      <div class="card">
        <p>
          <strong>{pairing.label ?? client.name}</strong> ({client.name}) asks to use Lumina as{' '}
          <strong>{me.user.email}</strong>.
        </p>
        <p class="code">
          <span class="visually-hidden">Code </span>
          {pairing.userCode}
        </p>
        <p class="muted">
          Requested {formatTime(pairing.createdAt)}; the code expires {formatTime(pairing.expiresAt)}. Approve only if
          this code is the one your plugin shows.
        </p>
      </div>
      <form class="stack" method="post" action="/pair" style="margin-top: 1rem">
        <input type="hidden" name="code" value={pairing.userCode} />
        <label>
          Spend credits from
          <select name="teamId">
            {me.teams.map((team) => (
              <option value={team.id} selected={team.id === me.activeTeamId}>
                {team.name} ({team.balance} credits)
              </option>
            ))}
          </select>
        </label>
        <p class="actions">
          <button type="submit" name="decision" value="approve">
            Approve
          </button>
          <button type="submit" name="decision" value="deny" class="danger" formnovalidate>
            Deny
          </button>
        </p>
      </form>
    </>
  );
}

/** The page without a code only shows the form: only looking a code up counts against the person's budget. */
const pairingCodeLookups = createMiddleware<AppEnv>(async (c, next) =>
  c.req.query('code')?.trim() ? pairingCodeRateLimit(c, next) : next(),
);

/**
 * `/pair?code=…`: the page a plugin's verification link opens. The signed-in person sees which plugin asks and
 * when, picks the team it may spend from, and approves or denies; the plugin's poll then gets its token.
 */
export const pairPage = new Hono<AppEnv>()
  .get('/pair', signedIn, pairingCodeLookups, async (c) => {
    const me = await meOf(c);
    const code = c.req.query('code')?.trim();
    if (!code) {
      return renderPage(
        c,
        <Layout title="Connect a plugin" me={me} narrow>
          <h1>Connect a plugin</h1>
          <CodeForm />
        </Layout>,
      );
    }
    let pairing: PairingView;
    try {
      pairing = await getPairing({ ctx: c.var.ctx, input: { userCode: code } });
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'not_found') throw error;
      return renderPage(
        c,
        <Layout title="Connect a plugin" me={me} narrow>
          <h1>Connect a plugin</h1>
          <Alert>{error.message}</Alert>
          <CodeForm code={code} />
        </Layout>,
        404,
      );
    }
    return renderPage(
      c,
      <Layout title="Connect a plugin" me={me} narrow>
        <h1>Connect {clientNames[pairing.client].name}</h1>
        <PairingDetails pairing={pairing} me={me} />
      </Layout>,
    );
  })
  .post('/pair', signedIn, pairingCodeRateLimit, async (c) => {
    const user = webUserOf(c);
    const form = DecisionForm.parse(await c.req.parseBody());
    const me = await meOf(c);
    const base = { userId: user.userId, userCode: form.code };
    let decided: PairingView;
    try {
      decided =
        form.decision === 'approve'
          ? await decidePairing({
              ctx: c.var.ctx,
              input: { ...base, decision: 'approve', teamId: form.teamId ?? user.teamId },
            })
          : await decidePairing({ ctx: c.var.ctx, input: { ...base, decision: 'deny' } });
    } catch (error) {
      if (!(error instanceof ApiError) || !error.code.startsWith('pairing_')) throw error;
      return renderPage(
        c,
        <Layout title="Connect a plugin" me={me} narrow>
          <h1>Connect a plugin</h1>
          <Alert>{error.message}</Alert>
        </Layout>,
        error.status,
      );
    }
    const host = clientNames[decided.client].host;
    const team = me.teams.find((t) => t.id === form.teamId);
    return renderPage(
      c,
      <Layout title="Connect a plugin" me={me} narrow>
        <h1>{decided.status === 'approved' ? 'Plugin connected' : 'Request denied'}</h1>
        <Notice>
          {decided.status === 'approved'
            ? `${clientNames[decided.client].name} may now use Lumina${team ? ` with ${team.name}’s credits` : ''}. You can return to ${host}.`
            : `The plugin was not connected. You can return to ${host}.`}
        </Notice>
        <p>
          Connected plugins are listed under <a href="/sessions">Sessions</a>, where you can disconnect them.
        </p>
      </Layout>,
    );
  });
