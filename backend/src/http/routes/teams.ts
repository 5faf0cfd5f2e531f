import { $ } from '@hono/zod-openapi';
import {
  AcceptInviteBody,
  ApiKeyCreated,
  ApiKeyList,
  CreateApiKeyBody,
  CreateInviteBody,
  CreateTeamBody,
  type ErrorCode,
  InviteCreated,
  MemberList,
  MemberUpdate,
  TeamView,
  UpdateMemberBody,
} from '@lumina/shared';
import { z } from 'zod';
import { issueApiKey } from '../../services/accounts/issue-api-key.ts';
import { listApiKeys } from '../../services/accounts/list-api-keys.ts';
import { revokeApiKey } from '../../services/accounts/revoke-api-key.ts';
import { acceptInvite } from '../../services/teams/accept-invite.ts';
import { createOwnedTeam } from '../../services/teams/create-owned-team.ts';
import { inviteMember } from '../../services/teams/invite-member.ts';
import { listMembers } from '../../services/teams/list-members.ts';
import { removeMember } from '../../services/teams/remove-member.ts';
import { revokeInvite } from '../../services/teams/revoke-invite.ts';
import { updateMember } from '../../services/teams/update-member.ts';
import { apiRoute, apiRoutes, type Contract, json, jsonBody, noContent, pathId } from '../api-route.ts';
import { authenticate, browserUserOf } from '../authenticate.ts';

// `rate_limited`: too many failed authentications from the client's network.
const browserErrors: ErrorCode[] = ['unauthorized', 'forbidden', 'csrf_rejected', 'not_found', 'rate_limited'];
const account = (...errors: ErrorCode[]): Contract => ({
  tag: 'accounts',
  auth: 'browser',
  errors: [...errors, ...browserErrors],
});

const TeamPath = z.object({ teamId: pathId('The team id (`team_…`).') });
const MemberPath = TeamPath.extend({ userId: pathId('The member’s user id (`user_…`).') });

/**
 * Teams, their members, invites and API keys, managed from a signed-in browser. Every use case checks the
 * caller's role in the team named by the path; a team the caller is not in is the same 404 as a missing one.
 */
export const teamRoutes = $(apiRoutes().use(authenticate))
  .openapi(
    apiRoute(account('invalid_request'), {
      method: 'post',
      path: '/',
      operationId: 'createTeam',
      summary: 'Create a team; the caller owns it',
      request: {
        body: jsonBody(CreateTeamBody, { team: { summary: 'A team for the studio', value: { name: 'Studio' } } }),
      },
      responses: { 201: json(TeamView, 'The team.') },
    }),
    async (c) => {
      const input = { userId: browserUserOf(c).userId, name: c.req.valid('json').name };
      return c.json(await createOwnedTeam({ ctx: c.var.ctx, input }), 201);
    },
  )
  .openapi(
    apiRoute(account(), {
      method: 'get',
      path: '/{teamId}/members',
      operationId: 'listMembers',
      summary: "The team's members and roles",
      request: { params: TeamPath },
      responses: { 200: json(MemberList, 'Members.') },
    }),
    async (c) => {
      const input = { userId: browserUserOf(c).userId, teamId: c.req.valid('param').teamId };
      return c.json(await listMembers({ ctx: c.var.ctx, input }), 200);
    },
  )
  .openapi(
    apiRoute(account('invalid_request', 'last_owner'), {
      method: 'patch',
      path: '/{teamId}/members/{userId}',
      operationId: 'changeMember',
      summary: "Change a member's role or monthly spending cap (admins; only owners touch owners)",
      request: {
        params: MemberPath,
        body: jsonBody(UpdateMemberBody, {
          role: { summary: 'Make an admin', value: { role: 'admin' } },
          cap: { summary: 'Cap monthly spending at 500 credits', value: { monthlySpendCap: 500 } },
        }),
      },
      responses: { 200: json(MemberUpdate, 'The member after the change.') },
    }),
    async (c) => {
      const { teamId, userId } = c.req.valid('param');
      const input = { ...c.req.valid('json'), userId: browserUserOf(c).userId, teamId, memberUserId: userId };
      return c.json(await updateMember({ ctx: c.var.ctx, input }), 200);
    },
  )
  .openapi(
    apiRoute(account('last_owner'), {
      method: 'delete',
      path: '/{teamId}/members/{userId}',
      operationId: 'removeMember',
      summary: 'Remove a member (or leave the team)',
      request: { params: MemberPath },
      responses: { 204: noContent },
    }),
    async (c) => {
      const { teamId, userId } = c.req.valid('param');
      await removeMember({ ctx: c.var.ctx, input: { userId: browserUserOf(c).userId, teamId, memberUserId: userId } });
      return c.body(null, 204);
    },
  )
  .openapi(
    apiRoute(account('invalid_request'), {
      method: 'post',
      path: '/{teamId}/invites',
      operationId: 'invite',
      summary: 'Invite by link, optionally bound to an e-mail address (and e-mailed there when SMTP is configured)',
      request: {
        params: TeamPath,
        // An empty body (no Content-Type) is an invite with the defaults.
        body: jsonBody(CreateInviteBody, {
          link: { summary: 'A member invite link', value: {} },
          email: { summary: 'An admin, by e-mail', value: { role: 'admin', email: 'grace@example.com' } },
        }),
      },
      responses: {
        201: json(InviteCreated, 'The invite, its link, and whether it was e-mailed (`emailSent`).'),
      },
    }),
    async (c) => {
      const input = { ...c.req.valid('json'), userId: browserUserOf(c).userId, teamId: c.req.valid('param').teamId };
      return c.json(await inviteMember({ ctx: c.var.ctx, input }), 201);
    },
  )
  .openapi(
    apiRoute(account(), {
      method: 'delete',
      path: '/{teamId}/invites/{inviteId}',
      operationId: 'revokeInvite',
      summary: 'Revoke a pending invite so its link stops working (admins; only owners revoke owner invites)',
      request: { params: TeamPath.extend({ inviteId: pathId('The invite id (`inv_…`).') }) },
      responses: { 204: noContent },
    }),
    async (c) => {
      const { teamId, inviteId } = c.req.valid('param');
      await revokeInvite({ ctx: c.var.ctx, input: { userId: browserUserOf(c).userId, teamId, inviteId } });
      return c.body(null, 204);
    },
  )
  .openapi(
    apiRoute(account(), {
      method: 'get',
      path: '/{teamId}/api-keys',
      operationId: 'listApiKeys',
      summary: "The team's API keys (admins)",
      request: { params: TeamPath },
      responses: { 200: json(ApiKeyList, 'Keys, without secrets.') },
    }),
    async (c) => {
      const input = { userId: browserUserOf(c).userId, teamId: c.req.valid('param').teamId };
      return c.json(await listApiKeys({ ctx: c.var.ctx, input }), 200);
    },
  )
  .openapi(
    apiRoute(account('invalid_request'), {
      method: 'post',
      path: '/{teamId}/api-keys',
      operationId: 'createApiKey',
      summary: 'Create an API key; its secret is in this answer only',
      request: {
        params: TeamPath,
        body: jsonBody(CreateApiKeyBody, { ci: { summary: 'A key for CI', value: { name: 'CI' } } }),
      },
      responses: { 201: json(ApiKeyCreated, 'The key and its secret.') },
    }),
    async (c) => {
      const input = {
        userId: browserUserOf(c).userId,
        teamId: c.req.valid('param').teamId,
        name: c.req.valid('json').name,
      };
      return c.json(await issueApiKey({ ctx: c.var.ctx, input }), 201);
    },
  )
  .openapi(
    apiRoute(account(), {
      method: 'delete',
      path: '/{teamId}/api-keys/{keyId}',
      operationId: 'revokeApiKey',
      summary: 'Revoke an API key',
      request: { params: TeamPath.extend({ keyId: pathId('The API key id (`key_…`).') }) },
      responses: { 204: noContent },
    }),
    async (c) => {
      const { teamId, keyId } = c.req.valid('param');
      await revokeApiKey({ ctx: c.var.ctx, input: { userId: browserUserOf(c).userId, teamId, apiKeyId: keyId } });
      return c.body(null, 204);
    },
  );

/** `POST /api/v1/invites/accept {token}`: the signed-in person joins the team of the link. */
export const inviteRoutes = apiRoutes().openapi(
  apiRoute(account('invalid_request', 'invite_unusable', 'already_member'), {
    method: 'post',
    path: '/accept',
    operationId: 'acceptInvite',
    summary: "Join a team with an invite's token",
    middleware: [authenticate],
    request: {
      body: jsonBody(AcceptInviteBody, {
        link: { summary: "The token from the invite's link", value: { token: 'inv_…' } },
      }),
    },
    responses: { 200: json(TeamView, 'The team joined.') },
  }),
  async (c) => {
    const input = { userId: browserUserOf(c).userId, token: c.req.valid('json').token };
    return c.json(await acceptInvite({ ctx: c.var.ctx, input }), 200);
  },
);
