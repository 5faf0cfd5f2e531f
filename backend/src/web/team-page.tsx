/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import {
  CreateInviteBody,
  CreateTeamBody,
  InviteCreated,
  type MemberView,
  type MeResponse,
  TeamRole,
} from '@lumina/shared';
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { ApiError } from '../errors.ts';
import type { AppEnv } from '../http/env.ts';
import { acceptInvite } from '../services/teams/accept-invite.ts';
import { changeMemberRole } from '../services/teams/change-member-role.ts';
import { createOwnedTeam } from '../services/teams/create-owned-team.ts';
import { inviteMember } from '../services/teams/invite-member.ts';
import { listInvites, type PendingInvite } from '../services/teams/list-invites.ts';
import { listMembers } from '../services/teams/list-members.ts';
import { removeMember } from '../services/teams/remove-member.ts';
import { revokeInvite } from '../services/teams/revoke-invite.ts';
import { ConfirmPage } from './confirm-page.tsx';
import { CopyButton, CopyScript } from './copy-button.tsx';
import { setFlash, takeFlash } from './flash.ts';
import { FormAlert, type FormRefusal, refusalOf, refusedValue, textValues } from './form-refusal.tsx';
import { Alert, activeTeamOf, canManage, formatTime, Layout, Notice, Time } from './layout.tsx';
import { renderPage } from './render-page.ts';
import { meOf, setActiveTeam, signedIn, webUserOf } from './web-session.ts';

const roles = TeamRole.options;
const RoleForm = z.object({ role: TeamRole });
const InviteForm = z.object({ token: z.string().min(1).max(200) });

interface TeamPageProps {
  me: MeResponse;
  members: MemberView[];
  invites: PendingInvite[] | null;
  created?: InviteCreated | undefined;
  notice?: string | undefined;
  refusal?: FormRefusal | undefined;
}

function RoleSelect(props: {
  name: string;
  selected: string | undefined;
  label: string;
  allowOwner: boolean;
  id?: string;
}) {
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
  const { refusal } = props;
  return (
    <Layout title="Team" me={me} path="/team">
      <h1>{team.name}</h1>
      {props.notice && <Notice>{props.notice}</Notice>}
      <h2>Members</h2>
      <FormAlert refusal={refusal} form="members" />
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
                      <a
                        class="button danger"
                        href={`/team/members/${encodeURIComponent(member.userId)}/remove`}
                        aria-label={`Remove ${member.name}`}
                      >
                        Remove
                      </a>
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
                <CopyButton target="invite-link" label="Copy the invite link" />
              </div>
              <CopyScript />
            </div>
          )}
          <FormAlert refusal={refusal} form="invite" />
          <form class="inline" method="post" action="/team/invites" style="margin-top: 1rem">
            <label>
              E-mail <span class="muted hint">(optional: only they may accept)</span>
              <input type="email" name="email" autocomplete="off" value={refusedValue(refusal, 'invite', 'email')} />
            </label>
            <div class="field">
              <label for="invite-role">Role</label>
              <RoleSelect
                name="role"
                selected={refusedValue(refusal, 'invite', 'role') ?? 'member'}
                label="Role"
                allowOwner={owner}
                id="invite-role"
              />
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
                        <a
                          class="button danger"
                          href={`/team/invites/${encodeURIComponent(invite.inviteId)}/revoke`}
                          aria-label={`Revoke the ${invite.role} invite${invite.email ? ` for ${invite.email}` : ''}`}
                        >
                          Revoke
                        </a>
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
      <FormAlert refusal={refusal} form="new-team" />
      <form class="inline" method="post" action="/team/new">
        <label>
          Team name
          <input name="name" required maxlength={100} value={refusedValue(refusal, 'new-team', 'name')} />
        </label>
        <button type="submit" class="secondary">
          Create team
        </button>
      </form>
    </Layout>
  );
}

async function teamPageProps(c: Context<AppEnv>) {
  const user = webUserOf(c);
  const input = { userId: user.userId, teamId: user.teamId };
  const [me, members, invites] = await Promise.all([
    meOf(c),
    listMembers({ ctx: c.var.ctx, input }),
    canManage(user.role) ? listInvites({ ctx: c.var.ctx, input }) : null,
  ]);
  return { me, members: members.members, invites: invites?.invites ?? null };
}

/** The team page again, with a refused form's message and input. */
async function refused(c: Context<AppEnv>, refusal: FormRefusal) {
  return renderPage(c, <TeamPage {...(await teamPageProps(c))} refusal={refusal} />, refusal.status);
}

const inviteMessages = {
  email: 'Enter an e-mail address like name@example.com, or leave it empty for a link anyone can use.',
  role: 'Pick a role: member, admin or owner.',
};
const teamNameMessages = { name: 'Give the team a name of 1 to 100 characters.' };

/** Runs a member or invite action, refusing on the team page; `done` names the notice after the redirect. */
async function onTeam(c: Context<AppEnv>, run: () => Promise<unknown>, done: string) {
  try {
    await run();
  } catch (error) {
    return refused(c, refusalOf(error, 'members', {}));
  }
  return c.redirect(`/team?done=${done}`, 303);
}

const doneNotices: Record<string, string> = {
  removed: 'The member was removed.',
  revoked: 'The invite was revoked.',
  role: 'The role was changed.',
};

function InvitePage(props: { me: MeResponse; token: string; error?: string }) {
  return (
    <Layout title="Join a team" me={props.me} narrow>
      <h1>Join a team</h1>
      {props.error && <Alert>{props.error}</Alert>}
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
    const notice = done === undefined ? undefined : doneNotices[done];
    const [props, created] = await Promise.all([teamPageProps(c), takeFlash(c, '/team', InviteCreated)]);
    return renderPage(c, <TeamPage {...props} created={created} notice={notice} />);
  })
  .post('/team/invites', signedIn, async (c) => {
    const user = webUserOf(c);
    const form = await c.req.parseBody();
    try {
      const email = typeof form.email === 'string' && form.email.trim() !== '' ? form.email.trim() : undefined;
      const body = CreateInviteBody.parse({ role: form.role, ...(email ? { email } : {}) });
      const input = { ...body, userId: user.userId, teamId: user.teamId };
      const created = await inviteMember({ ctx: c.var.ctx, input });
      await setFlash(c, '/team', created);
      return c.redirect('/team', 303);
    } catch (error) {
      return refused(c, refusalOf(error, 'invite', textValues(form), inviteMessages));
    }
  })
  .get('/team/invites/:inviteId/revoke', signedIn, async (c) => {
    const user = webUserOf(c);
    const { invites } = await listInvites({ ctx: c.var.ctx, input: { userId: user.userId, teamId: user.teamId } });
    const invite = invites.find((i) => i.inviteId === c.req.param('inviteId'));
    if (!invite) throw new ApiError('not_found', 'There is no such pending invite in this team.');
    return renderPage(
      c,
      <ConfirmPage
        me={await meOf(c)}
        path="/team"
        title="Revoke this invite?"
        action={`/team/invites/${encodeURIComponent(invite.inviteId)}/revoke`}
        confirmLabel="Revoke invite"
      >
        <p>
          The {invite.role} invite {invite.email ? `for ${invite.email}` : 'that anyone with the link can use'} stops
          working; whoever has the link can no longer join with it.
        </p>
      </ConfirmPage>,
    );
  })
  .post('/team/invites/:inviteId/revoke', signedIn, (c) => {
    const user = webUserOf(c);
    const input = { userId: user.userId, teamId: user.teamId, inviteId: c.req.param('inviteId') };
    return onTeam(c, () => revokeInvite({ ctx: c.var.ctx, input }), 'revoked');
  })
  .post('/team/members/:userId/role', signedIn, async (c) => {
    const user = webUserOf(c);
    const form = await c.req.parseBody();
    return onTeam(
      c,
      async () => {
        const { role } = RoleForm.parse(form);
        const memberUserId = c.req.param('userId');
        await changeMemberRole({
          ctx: c.var.ctx,
          input: { userId: user.userId, teamId: user.teamId, memberUserId, role },
        });
      },
      'role',
    );
  })
  .get('/team/members/:userId/remove', signedIn, async (c) => {
    const user = webUserOf(c);
    const { members } = await listMembers({ ctx: c.var.ctx, input: { userId: user.userId, teamId: user.teamId } });
    const member = members.find((m) => m.userId === c.req.param('userId'));
    if (!member || !canManage(user.role)) throw new ApiError('not_found', 'There is no such member in this team.');
    const me = await meOf(c);
    return renderPage(
      c,
      <ConfirmPage
        me={me}
        path="/team"
        title={`Remove ${member.name} from the team?`}
        action={`/team/members/${encodeURIComponent(member.userId)}/remove`}
        confirmLabel="Remove member"
      >
        <p>
          {member.name} ({member.email}) loses access to {activeTeamOf(me).name} and its credits at once. Their plugin
          sessions for this team end. To bring them back, send a new invite.
        </p>
      </ConfirmPage>,
    );
  })
  .post('/team/members/:userId/remove', signedIn, (c) => {
    const user = webUserOf(c);
    const input = { userId: user.userId, teamId: user.teamId, memberUserId: c.req.param('userId') };
    return onTeam(c, () => removeMember({ ctx: c.var.ctx, input }), 'removed');
  })
  .post('/team/new', signedIn, async (c) => {
    const user = webUserOf(c);
    const form = await c.req.parseBody();
    try {
      const body = CreateTeamBody.parse({ name: form.name });
      const team = await createOwnedTeam({ ctx: c.var.ctx, input: { userId: user.userId, name: body.name } });
      setActiveTeam(c, team.id);
      return c.redirect('/team', 303);
    } catch (error) {
      return refused(c, refusalOf(error, 'new-team', textValues(form), teamNameMessages));
    }
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
    try {
      const team = await acceptInvite({ ctx: c.var.ctx, input: { userId: user.userId, token } });
      setActiveTeam(c, team.id);
      return c.redirect('/', 303);
    } catch (error) {
      const refusal = refusalOf(error, 'invite', {});
      return renderPage(c, <InvitePage me={await meOf(c)} token={token} error={refusal.message} />, refusal.status);
    }
  });
