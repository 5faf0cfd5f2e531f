import { $ } from '@hono/zod-openapi';
import { MeResponse, SessionList } from '@lumina/shared';
import { z } from 'zod';
import { describeMe } from '../../services/accounts/describe-me.ts';
import { listSessions } from '../../services/accounts/list-sessions.ts';
import { revokeSession } from '../../services/accounts/revoke-session.ts';
import { apiRoute, apiRoutes, json, noContent, pathId } from '../api-route.ts';
import { authenticate, browserUserOf, userOf } from '../authenticate.ts';
import { clearSessionCookie } from '../session-cookie.ts';

/** `GET /api/v1/me`. */
export const meRoutes = apiRoutes().openapi(
  apiRoute(
    { tag: 'accounts', auth: 'api', errors: ['unauthorized', 'forbidden', 'rate_limited'] },
    {
      method: 'get',
      path: '/',
      operationId: 'me',
      summary: 'Who is signed in, the active team and every team with its role and balance',
      middleware: [authenticate],
      responses: { 200: json(MeResponse, 'The signed-in user.') },
    },
  ),
  async (c) => c.json(await describeMe({ ctx: c.var.ctx, input: { principal: userOf(c) } }), 200),
);

/**
 * The person's browser and plugin sessions: listed and revoked one by one from a browser. A plugin token may
 * end only itself: a leaked one must not be able to sign the person out of their browsers.
 */
export const sessionRoutes = $(apiRoutes().use(authenticate))
  .openapi(
    apiRoute(
      { tag: 'accounts', auth: 'api', errors: ['unauthorized', 'forbidden', 'rate_limited'] },
      {
        method: 'get',
        path: '/',
        operationId: 'listSessions',
        summary: "The user's browser sessions and plugin tokens",
        responses: { 200: json(SessionList, 'Sessions.') },
      },
    ),
    async (c) => {
      const user = browserUserOf(c);
      return c.json(
        await listSessions({ ctx: c.var.ctx, input: { userId: user.userId, currentSessionId: user.sessionId } }),
        200,
      );
    },
  )
  .openapi(
    apiRoute(
      {
        tag: 'accounts',
        auth: 'api',
        errors: ['unauthorized', 'forbidden', 'csrf_rejected', 'not_found', 'rate_limited'],
      },
      {
        method: 'delete',
        path: '/{id}',
        operationId: 'revokeSession',
        summary: 'Revoke one session or plugin token',
        request: { params: z.object({ id: pathId('The session id.') }) },
        responses: { 204: noContent },
      },
    ),
    async (c) => {
      const sessionId = c.req.valid('param').id;
      const user = sessionId === userOf(c).sessionId ? userOf(c) : browserUserOf(c);
      await revokeSession({ ctx: c.var.ctx, input: { userId: user.userId, sessionId } });
      if (sessionId === user.sessionId) clearSessionCookie(c);
      return c.body(null, 204);
    },
  );
