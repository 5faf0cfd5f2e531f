import { AcceptInviteBody, CreateApiKeyBody, CreateInviteBody, CreateTeamBody, UpdateMemberBody } from '@lumina/shared';
import { Hono } from 'hono';
import { acceptInvite } from '../../services/accept-invite.ts';
import { createOwnedTeam } from '../../services/create-owned-team.ts';
import { inviteMember } from '../../services/invite-member.ts';
import { issueApiKey } from '../../services/issue-api-key.ts';
import { listApiKeys } from '../../services/list-api-keys.ts';
import { listMembers } from '../../services/list-members.ts';
import { removeMember } from '../../services/remove-member.ts';
import { revokeApiKey } from '../../services/revoke-api-key.ts';
import { revokeInvite } from '../../services/revoke-invite.ts';
import { updateMember } from '../../services/update-member.ts';
import { authenticate, browserUserOf } from '../authenticate.ts';
import type { AppEnv } from '../env.ts';

const jsonOf = (c: { req: { json(): Promise<unknown> } }) => c.req.json().catch(() => undefined);

/**
 * Teams, their members, invites and API keys, managed from a signed-in browser. Every use case checks the
 * caller's role in the team named by the path; a team the caller is not in is the same 404 as a missing one.
 */
export const teamRoutes = new Hono<AppEnv>()
  .use(authenticate)
  .post('/', async (c) => {
    const user = browserUserOf(c);
    const body = CreateTeamBody.parse(await jsonOf(c));
    return c.json(await createOwnedTeam({ ctx: c.var.ctx, input: { userId: user.userId, name: body.name } }), 201);
  })
  .get('/:teamId/members', async (c) => {
    const user = browserUserOf(c);
    return c.json(
      await listMembers({ ctx: c.var.ctx, input: { userId: user.userId, teamId: c.req.param('teamId') } }),
      200,
    );
  })
  .patch('/:teamId/members/:userId', async (c) => {
    const user = browserUserOf(c);
    const body = UpdateMemberBody.parse(await jsonOf(c));
    const input = { ...body, userId: user.userId, teamId: c.req.param('teamId'), memberUserId: c.req.param('userId') };
    return c.json(await updateMember({ ctx: c.var.ctx, input }), 200);
  })
  .delete('/:teamId/members/:userId', async (c) => {
    const user = browserUserOf(c);
    const input = { userId: user.userId, teamId: c.req.param('teamId'), memberUserId: c.req.param('userId') };
    await removeMember({ ctx: c.var.ctx, input });
    return c.body(null, 204);
  })
  .post('/:teamId/invites', async (c) => {
    const user = browserUserOf(c);
    const body = CreateInviteBody.parse((await jsonOf(c)) ?? {});
    const input = { ...body, userId: user.userId, teamId: c.req.param('teamId') };
    return c.json(await inviteMember({ ctx: c.var.ctx, input }), 201);
  })
  .delete('/:teamId/invites/:inviteId', async (c) => {
    const user = browserUserOf(c);
    const input = { userId: user.userId, teamId: c.req.param('teamId'), inviteId: c.req.param('inviteId') };
    await revokeInvite({ ctx: c.var.ctx, input });
    return c.body(null, 204);
  })
  .get('/:teamId/api-keys', async (c) => {
    const user = browserUserOf(c);
    return c.json(
      await listApiKeys({ ctx: c.var.ctx, input: { userId: user.userId, teamId: c.req.param('teamId') } }),
      200,
    );
  })
  .post('/:teamId/api-keys', async (c) => {
    const user = browserUserOf(c);
    const body = CreateApiKeyBody.parse(await jsonOf(c));
    const input = { userId: user.userId, teamId: c.req.param('teamId'), name: body.name };
    return c.json(await issueApiKey({ ctx: c.var.ctx, input }), 201);
  })
  .delete('/:teamId/api-keys/:keyId', async (c) => {
    const user = browserUserOf(c);
    const input = { userId: user.userId, teamId: c.req.param('teamId'), apiKeyId: c.req.param('keyId') };
    await revokeApiKey({ ctx: c.var.ctx, input });
    return c.body(null, 204);
  });

/** `POST /api/v1/invites/accept {token}`: the signed-in person joins the team of the link. */
export const inviteRoutes = new Hono<AppEnv>().post('/accept', authenticate, async (c) => {
  const user = browserUserOf(c);
  const body = AcceptInviteBody.parse(await jsonOf(c));
  return c.json(await acceptInvite({ ctx: c.var.ctx, input: { userId: user.userId, token: body.token } }), 200);
});
