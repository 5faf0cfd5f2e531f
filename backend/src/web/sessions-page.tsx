/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { Hono } from 'hono';
import type { AppEnv } from '../http/env.ts';
import { clearSessionCookie } from '../http/session-cookie.ts';
import { listSessions } from '../services/list-sessions.ts';
import { revokeSession } from '../services/revoke-session.ts';
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

/** `/sessions`: the person's signed-in browsers and connected plugins, each revocable; sign out everywhere. */
export const sessionsPage = new Hono<AppEnv>()
  .get('/sessions', signedIn, async (c) => {
    const user = webUserOf(c);
    const [me, list] = await Promise.all([
      meOf(c),
      listSessions({ ctx: c.var.ctx, input: { userId: user.userId, currentSessionId: user.sessionId } }),
    ]);
    const teamNames = new Map(me.teams.map((team) => [team.id, team.name]));
    return renderPage(
      c,
      <Layout title="Sessions" me={me} path="/sessions">
        <h1>Sessions</h1>
        {c.req.query('revoked') && <Notice>The session was ended.</Notice>}
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
                  <form class="inline" method="post" action={`/sessions/${encodeURIComponent(session.id)}/revoke`}>
                    <button type="submit" class="danger">
                      {session.current ? 'Sign out' : session.kind === 'plugin' ? 'Disconnect' : 'End'}
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2>Everywhere</h2>
        <form method="post" action="/sign-out-everywhere">
          <button type="submit" class="danger">
            Sign out everywhere
          </button>
          <p class="muted">Ends every browser session and disconnects every plugin, including this browser.</p>
        </form>
      </Layout>,
    );
  })
  .post('/sessions/:id/revoke', signedIn, async (c) => {
    const user = webUserOf(c);
    const sessionId = c.req.param('id');
    await revokeSession({ ctx: c.var.ctx, input: { userId: user.userId, sessionId } });
    if (sessionId === user.sessionId) {
      clearSessionCookie(c);
      return c.redirect('/sign-in', 303);
    }
    return c.redirect('/sessions?revoked=1', 303);
  });
