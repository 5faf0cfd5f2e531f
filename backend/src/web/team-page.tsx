/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import {
  CreateInviteBody,
  CreateTeamBody,
  type InviteCreated,
  type MemberView,
  type MeResponse,
  TeamRole,
} from '@lumina/shared';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../http/env.ts';
import { acceptInvite } from '../services/accept-invite.ts';
import { changeMemberRole } from '../services/change-member-role.ts';
import { createOwnedTeam } from '../services/create-owned-team.ts';
import { inviteMember } from '../services/invite-member.ts';
import { listInvites, type PendingInvite } from '../services/list-invites.ts';
import { listMembers } from '../services/list-members.ts';
import { removeMember } from '../services/remove-member.ts';
import { revokeInvite } from '../services/revoke-invite.ts';
import { activeTeamOf, canManage, formatTime, Layout, Notice, Time } from './layout.tsx';
import { renderPage } from './render-page.ts';
import { meOf, setActiveTeam, signedIn, webUserOf } from './web-session.ts';

const roles = TeamRole.options;
const RoleForm = z.object({ role: TeamRole });
const InviteForm = z.object({ token: z.string().min(1).max(200) });

interface TeamPageProps {
  me: MeResponse;
  members: MemberView[];
  invites: PendingInvite[] | null;
  created?: InviteCreated;
  notice?: string;
}

function RoleSelect(props: { name: string; selected: string; label: string; allowOwner: boolean; id?: string }) {
  return (
    <select name={props.name} aria-label={props.label} id={props.id}>
      {roles
        .filter((role) => props.allowOwner || role !== 'owner' || props.selected === 'owner')
        .map((role) => (
          <option value={role} selected={role === props.selected}>
            {role}
          </option>
        ))}
    </select>
  );
}

function TeamPage(props: TeamPageProps) {
  const { me } = props;
  const team = activeTeamOf(me);
  const admin = canManage(team.role);
  const owner = team.role === 'owner';
  return (
    <Layout title="Team" me={me} path="/team">
      <h1>{team.name}</h1>
      {props.notice && <Notice>{props.notice}</Notice>}
      <h2>Members</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">E-mail</th>
            <th scope="col">Role</th>
            <th scope="col">Joined</th>
            {admin && (
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {props.members.map((member) => {
            const self = member.userId === me.user.id;
            return (
              <tr>
                <td>
                  {member.name}
                  {self && <span class="muted"> (you)</span>}
                </td>
                <td>{member.email}</td>
                <td>
                  {admin && !self ? (
                    <form
                      class="inline"
                      method="post"
                      action={`/team/members/${encodeURIComponent(member.userId)}/role`}
                    >
                      <RoleSelect
                        name="role"
                        selected={member.role}
                        label={`Role of ${member.name}`}
                        allowOwner={owner}
                      />
                      <button type="submit" class="secondary">
                        Change
                      </button>
                    </form>
                  ) : (
                    member.role
                  )}
                </td>
                <td>
                  <Time iso={member.joinedAt} />
                </td>
                {admin && (
                  <td>
                    {!self && (
                      <form
                        class="inline"
                        method="post"
                        action={`/team/members/${encodeURIComponent(member.userId)}/remove`}
                      >
                        <button type="submit" class="danger" aria-label={`Remove ${member.name}`}>
                          Remove
                        </button>
                      </form>
                    )}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
      {admin && (
        <>
          <h2>Invite someone</h2>
          {props.created && (
            <div class="card" role="status">
              {props.created.emailSent ? (
                <p>
                  We e-mailed this link to {props.created.email}; it works once, until{' '}
                  {formatTime(props.created.expiresAt)}:
                </p>
              ) : (
                <p>
                  Send this link{props.created.email ? ` to ${props.created.email}` : ''}; it works once, until{' '}
                  {formatTime(props.created.expiresAt)}:
                </p>
              )}
              <div class="secret">
                <label class="visually-hidden" for="invite-link">
                  Invite link
                </label>
                <input id="invite-link" readonly value={props.created.link} data-testid="invite-link" />
              </div>
            </div>
          )}
          <form class="inline" method="post" action="/team/invites" style="margin-top: 1rem">
            <label>
              E-mail <span class="muted hint">(optional: only they may accept)</span>
              <input type="email" name="email" autocomplete="off" />
            </label>
            <div class="field">
              <label for="invite-role">Role</label>
              <RoleSelect name="role" selected="member" label="Role" allowOwner={owner} id="invite-role" />
            </div>
            <button type="submit">Create invite link</button>
          </form>
          <h2>Pending invites</h2>
          {props.invites && props.invites.length > 0 ? (
            <table>
              <thead>
                <tr>
                  <th scope="col">For</th>
                  <th scope="col">Role</th>
                  <th scope="col">Created</th>
                  <th scope="col">Expires</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {props.invites.map((invite) => (
                  <tr>
                    <td>{invite.email ?? 'Anyone with the link'}</td>
                    <td>{invite.role}</td>
                    <td>
                      <Time iso={invite.createdAt} />
                    </td>
                    <td>
                      <Time iso={invite.expiresAt} />
                    </td>
                    <td>
                      {(owner || invite.role !== 'owner') && (
                        <form
                          class="inline"
                          method="post"
                          action={`/team/invites/${encodeURIComponent(invite.inviteId)}/revoke`}
                        >
                          <button type="submit" class="danger" aria-label={`Revoke the ${invite.role} invite`}>
                            Revoke
                          </button>
                        </form>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>No pending invites.</p>
          )}
        </>
      )}
      <h2>New team</h2>
      <form class="inline" method="post" action="/team/new">
        <label>
          Team name
          <input name="name" required maxlength={100} />
        </label>
        <button type="submit" class="secondary">
          Create team
        </button>
      </form>
    </Layout>
  );
}

async function teamPageProps(c: Parameters<typeof meOf>[0]) {
  const user = webUserOf(c);
  const input = { userId: user.userId, teamId: user.teamId };
  const [me, members, invites] = await Promise.all([
    meOf(c),
    listMembers({ ctx: c.var.ctx, input }),
    canManage(user.role) ? listInvites({ ctx: c.var.ctx, input }) : null,
  ]);
  return { me, members: members.members, invites: invites?.invites ?? null };
}

function InvitePage(props: { me: MeResponse; token: string }) {
  return (
    <Layout title="Join a team" me={props.me} narrow>
      <h1>Join a team</h1>
      <p>You were invited to join a team on Lumina. Its members share one pool of credits.</p>
      <form method="post" action="/invite">
        <input type="hidden" name="token" value={props.token} />
        <button type="submit">Join the team</button>
      </form>
    </Layout>
  );
}

/**
 * `/team`: the active team's members and roles (admins change roles and remove people), invites by link or
 * e-mail address with the link shown to the inviter, pending invites; `/invite?token=…` (and `/invite/:token`)
 * to accept one.
 */
export const teamPage = new Hono<AppEnv>()
  .get('/team', signedIn, async (c) => {
    const done = c.req.query('done');
    const notice =
      done === 'removed' ? 'The member was removed.' : done === 'revoked' ? 'The invite was revoked.' : undefined;
    return renderPage(c, <TeamPage {...(await teamPageProps(c))} notice={notice} />);
  })
  .post('/team/invites', signedIn, async (c) => {
    const user = webUserOf(c);
    const form = await c.req.parseBody();
    const email = typeof form.email === 'string' && form.email.trim() !== '' ? form.email : undefined;
    const body = CreateInviteBody.parse({ role: form.role, ...(email ? { email } : {}) });
    const created = await inviteMember({
      ctx: c.var.ctx,
      input: { ...body, userId: user.userId, teamId: user.teamId },
    });
    return renderPage(c, <TeamPage {...(await teamPageProps(c))} created={created} />, 201);
  })
  .post('/team/invites/:inviteId/revoke', signedIn, async (c) => {
    const user = webUserOf(c);
    await revokeInvite({
      ctx: c.var.ctx,
      input: { userId: user.userId, teamId: user.teamId, inviteId: c.req.param('inviteId') },
    });
    return c.redirect('/team?done=revoked', 303);
  })
  .post('/team/members/:userId/role', signedIn, async (c) => {
    const user = webUserOf(c);
    const { role } = RoleForm.parse(await c.req.parseBody());
    await changeMemberRole({
      ctx: c.var.ctx,
      input: { userId: user.userId, teamId: user.teamId, memberUserId: c.req.param('userId'), role },
    });
    return c.redirect('/team', 303);
  })
  .post('/team/members/:userId/remove', signedIn, async (c) => {
    const user = webUserOf(c);
    await removeMember({
      ctx: c.var.ctx,
      input: { userId: user.userId, teamId: user.teamId, memberUserId: c.req.param('userId') },
    });
    return c.redirect('/team?done=removed', 303);
  })
  .post('/team/new', signedIn, async (c) => {
    const user = webUserOf(c);
    const form = await c.req.parseBody();
    const body = CreateTeamBody.parse({ name: form.name });
    const team = await createOwnedTeam({ ctx: c.var.ctx, input: { userId: user.userId, name: body.name } });
    setActiveTeam(c, team.id);
    return c.redirect('/team', 303);
  })
  .get('/invite', signedIn, async (c) => {
    const { token } = InviteForm.parse({ token: c.req.query('token') });
    return renderPage(c, <InvitePage me={await meOf(c)} token={token} />);
  })
  .get('/invite/:token', signedIn, async (c) => {
    const { token } = InviteForm.parse({ token: c.req.param('token') });
    return renderPage(c, <InvitePage me={await meOf(c)} token={token} />);
  })
  .post('/invite', signedIn, async (c) => {
    const user = webUserOf(c);
    const { token } = InviteForm.parse(await c.req.parseBody());
    const team = await acceptInvite({ ctx: c.var.ctx, input: { userId: user.userId, token } });
    setActiveTeam(c, team.id);
    return c.redirect('/', 303);
  });
