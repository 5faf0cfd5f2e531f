import { Hono } from 'hono';
import { describeMe } from '../../services/describe-me.ts';
import { listSessions } from '../../services/list-sessions.ts';
import { revokeSession } from '../../services/revoke-session.ts';
import { authenticate, browserUserOf, userOf } from '../authenticate.ts';
import type { AppEnv } from '../env.ts';
import { clearSessionCookie } from '../session-cookie.ts';

/** `GET /api/v1/me`. */
export const meRoutes = new Hono<AppEnv>().get('/', authenticate, async (c) =>
  c.json(await describeMe({ ctx: c.var.ctx, input: { principal: userOf(c) } }), 200),
);

/**
 * The person's browser and plugin sessions: listed and revoked one by one from a browser. A plugin token may
 * end only itself: a leaked one must not be able to sign the person out of their browsers.
 */
export const sessionRoutes = new Hono<AppEnv>()
  .use(authenticate)
  .get('/', async (c) => {
    const user = browserUserOf(c);
    return c.json(
      await listSessions({ ctx: c.var.ctx, input: { userId: user.userId, currentSessionId: user.sessionId } }),
      200,
    );
  })
  .delete('/:id', async (c) => {
    const sessionId = c.req.param('id');
    const user = sessionId === userOf(c).sessionId ? userOf(c) : browserUserOf(c);
    await revokeSession({ ctx: c.var.ctx, input: { userId: user.userId, sessionId } });
    if (sessionId === user.sessionId) clearSessionCookie(c);
    return c.body(null, 204);
  });
