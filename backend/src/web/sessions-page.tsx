/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { type Context, Hono } from 'hono';
import { ApiError } from '../errors.ts';
import type { AppEnv } from '../http/env.ts';
import { clearSessionCookie } from '../http/session-cookie.ts';
import { listSessions } from '../services/accounts/list-sessions.ts';
import { revokeSession } from '../services/accounts/revoke-session.ts';
import { ConfirmPage } from './confirm-page.tsx';
import { FormAlert, type FormRefusal, refusalOf } from './form-refusal.tsx';
import { Layout, Notice, Time } from './layout.tsx';
import { renderPage } from './render-page.ts';
import { meOf, signedIn, webUserOf } from './web-session.ts';

const browsers: Array<[RegExp, string]> = [
  [/Edg\//, 'Edge'],
  [/Firefox\//, 'Firefox'],
  [/HeadlessChrome\//, 'Headless Chrome'],
  [/Chrome\//, 'Chrome'],
  [/Safari\//, 'Safari'],
];
const systems: Array<[RegExp, string]> = [
  [/Windows/, 'Windows'],
  [/iPhone|iPad/, 'iOS'],
  [/Mac OS X/, 'macOS'],
  [/Android/, 'Android'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
];

/** "Chrome on macOS" from a browser session's label (its User-Agent); the whole string stays in the tooltip. */
export function describeUserAgent(userAgent: string): string {
  const browser = browsers.find(([pattern]) => pattern.test(userAgent))?.[1];
  const system = systems.find(([pattern]) => pattern.test(userAgent))?.[1];
  if (!browser && !system) return userAgent.slice(0, 60);
  return [browser ?? 'A browser', system].filter(Boolean).join(' on ');
}

const sessionsOf = (c: Context<AppEnv>) => {
  const user = webUserOf(c);
  return listSessions({ ctx: c.var.ctx, input: { userId: user.userId, currentSessionId: user.sessionId } });
};

const endLabel = (session: { current: boolean; kind: string }): string =>
  session.current ? 'Sign out' : session.kind === 'plugin' ? 'Disconnect' : 'End';

async function sessionsView(c: Context<AppEnv>, refusal?: FormRefusal) {
  const [me, list] = await Promise.all([meOf(c), sessionsOf(c)]);
  const teamNames = new Map(me.teams.map((team) => [team.id, team.name]));
  return renderPage(
    c,
    <Layout title="Sessions" me={me} path="/sessions">
      <h1>Sessions</h1>
      {c.req.query('revoked') && <Notice>The session was ended.</Notice>}
      <FormAlert refusal={refusal} form="session" />
      <p>Browsers you are signed in on and plugins you connected. End any you do not recognise.</p>
      <table>
        <thead>
          <tr>
            <th scope="col">Kind</th>
            <th scope="col">Device or plugin</th>
            <th scope="col">Team</th>
            <th scope="col">Signed in</th>
            <th scope="col">Last used</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.sessions.map((session) => (
            <tr>
              <td>{session.kind === 'plugin' ? 'Plugin' : 'Browser'}</td>
              <td>
                {session.label ? (
                  <span title={session.label}>
                    {session.kind === 'browser' ? describeUserAgent(session.label) : session.label}
                  </span>
                ) : (
                  <span class="muted">Unnamed</span>
                )}
                {session.current && <strong> (this browser)</strong>}
              </td>
              <td>{session.teamId ? (teamNames.get(session.teamId) ?? '—') : 'Any of yours'}</td>
              <td>
                <Time iso={session.createdAt} />
              </td>
              <td>
                <Time iso={session.lastUsedAt} />
              </td>
              <td>
                <a class="button danger" href={`/sessions/${encodeURIComponent(session.id)}/revoke`}>
                  {endLabel(session)}
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Everywhere</h2>
      <p>
        <a class="button danger" href="/sign-out-everywhere">
          Sign out everywhere
        </a>
      </p>
      <p class="muted">Ends every browser session and disconnects every plugin, including this browser.</p>
    </Layout>,
  );
}

/**
 * `/sessions`: the person's signed-in browsers and connected plugins, each revocable after a confirmation step;
 * sign out everywhere (`/sign-out-everywhere`).
 */
export const sessionsPage = new Hono<AppEnv>()
  .get('/sessions', signedIn, (c) => sessionsView(c))
  .get('/sessions/:id/revoke', signedIn, async (c) => {
    const { sessions } = await sessionsOf(c);
    const session = sessions.find((s) => s.id === c.req.param('id'));
    if (!session) throw new ApiError('not_found', 'There is no such session, or it has already ended.');
    const what = session.current
      ? 'this browser'
      : session.kind === 'plugin'
        ? `the plugin ${session.label ?? ''}`.trim()
        : describeUserAgent(session.label ?? 'a browser');
    return renderPage(
      c,
      <ConfirmPage
        me={await meOf(c)}
        path="/sessions"
        title={
          session.current
            ? 'Sign out of this browser?'
            : session.kind === 'plugin'
              ? 'Disconnect this plugin?'
              : 'End this session?'
        }
        action={`/sessions/${encodeURIComponent(session.id)}/revoke`}
        confirmLabel={endLabel(session)}
      >
        <p>
          {session.current
            ? 'You will have to sign in again here.'
            : `${what} is signed out at once; signing in there again needs your password${session.kind === 'plugin' ? ' or a new pairing' : ''}.`}
        </p>
      </ConfirmPage>,
    );
  })
  .post('/sessions/:id/revoke', signedIn, async (c) => {
    const user = webUserOf(c);
    const sessionId = c.req.param('id');
    try {
      await revokeSession({ ctx: c.var.ctx, input: { userId: user.userId, sessionId } });
    } catch (error) {
      return sessionsView(c, refusalOf(error, 'session', {}));
    }
    if (sessionId === user.sessionId) {
      clearSessionCookie(c);
      return c.redirect('/sign-in', 303);
    }
    return c.redirect('/sessions?revoked=1', 303);
  });
