import { randomBytes } from 'node:crypto';
import { InviteCreated, MemberList, TeamView } from '@lumina/shared';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invites } from '../src/db/schema.ts';
import { type Browser, dashboardJson, postForm, signUpBrowser } from './support/accounts.ts';
import { startTestBackend, type TestBackend } from './support/harness.ts';
import { closedPort, parseMail, type SmtpStandIn, startSmtpStandIn } from './support/smtp-stand-in.ts';

const sender = 'Lumina <no-reply@lumina.test>';

async function createTeam(t: TestBackend, owner: Browser, name: string): Promise<string> {
  const res = await t.request('/api/v1/teams', dashboardJson(owner, 'POST', { name }));
  expect(res.status).toBe(201);
  return TeamView.parse(await res.json()).id;
}

async function invite(t: TestBackend, owner: Browser, teamId: string, email: string): Promise<InviteCreated> {
  const res = await t.request(`/api/v1/teams/${teamId}/invites`, dashboardJson(owner, 'POST', { email }));
  expect(res.status).toBe(201);
  return InviteCreated.parse(await res.json());
}

/** The invitee opens the link and joins: proof that the invite exists and the link in hand is its key. */
async function acceptWith(t: TestBackend, invitee: Browser, link: string) {
  const token = new URL(link).searchParams.get('token');
  return t.request('/api/v1/invites/accept', dashboardJson(invitee, 'POST', { token }));
}

const inviteRow = async (t: TestBackend, inviteId: string) =>
  (await t.backend.ctx.db.select().from(invites).where(eq(invites.id, inviteId)))[0];

describe('invite e-mail over SMTP', () => {
  let smtp: SmtpStandIn;
  let t: TestBackend;

  beforeAll(async () => {
    smtp = await startSmtpStandIn();
    t = await startTestBackend({ SMTP_URL: smtp.url, MAIL_FROM: sender }, { background: false });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('delivers one message with the invite link to the invited address, and says so', async () => {
    const owner = await signUpBrowser(t, 'Olga');
    const teamId = await createTeam(t, owner, 'Poster studio');
    const invitee = await signUpBrowser(t, 'Ines');
    const before = smtp.messages.length;

    const created = await invite(t, owner, teamId, invitee.email);
    expect(created.emailSent).toBe(true);
    expect(created.email).toBe(invitee.email);

    const delivered = smtp.messages.slice(before);
    expect(delivered).toHaveLength(1);
    const [message] = delivered;
    expect(message?.to).toEqual([invitee.email]);
    expect(message?.from).toBe('no-reply@lumina.test');
    const mail = parseMail(message?.raw ?? '');
    expect(mail.headers.get('to')).toContain(invitee.email);
    expect(mail.headers.get('from')).toBe(sender);
    expect(mail.headers.get('subject')).toBe('Olga invited you to Poster studio on Lumina');
    expect(mail.text).toContain(created.link);
    expect(mail.text).toContain('as member');
    expect(mail.html).toContain(`href="${created.link}"`);

    // The link as received by mail is the working key to the team.
    const linkInMail = /https?:\/\/\S+\/invite\?token=[a-z2-7]+/.exec(mail.text ?? '')?.[0] ?? '';
    expect(linkInMail).toBe(created.link);
    expect((await acceptWith(t, invitee, linkInMail)).status).toBe(200);
    const members = await t.request(`/api/v1/teams/${teamId}/members`, { headers: owner.headers() });
    expect(MemberList.parse(await members.json()).members.map((m) => m.userId)).toContain(invitee.userId);
  });

  it('sends nothing for a link-only invite (no e-mail address)', async () => {
    const owner = await signUpBrowser(t, 'Lena');
    const teamId = await createTeam(t, owner, 'Link only');
    const [messagesBefore, connectionsBefore] = [smtp.messages.length, smtp.connections];
    const res = await t.request(`/api/v1/teams/${teamId}/invites`, dashboardJson(owner, 'POST', {}));
    expect(res.status).toBe(201);
    expect(InviteCreated.parse(await res.json())).toMatchObject({ email: null, emailSent: false });
    expect(smtp.messages.length).toBe(messagesBefore);
    expect(smtp.connections).toBe(connectionsBefore);
  });

  it("tells the dashboard's inviter that the link was e-mailed", async () => {
    const owner = await signUpBrowser(t, 'Dora');
    const address = `pat-${randomBytes(4).toString('hex')}@example.com`;
    const before = smtp.messages.length;
    const { posted, page: after } = await postForm(t, owner, '/team/invites', { email: address, role: 'member' });
    expect(posted.status).toBe(303); // POST-redirect-GET: the link is shown once on the team page
    const page = await after.text();
    expect(page).toContain(`We e-mailed this link to ${address}`);
    const delivered = smtp.messages.slice(before);
    expect(delivered.map((m) => m.to)).toEqual([[address]]);
    const link = /value="(http:\/\/lumina\.test\/invite\?token=[a-z2-7]+)"/.exec(page)?.[1];
    expect(link).toBeTruthy();
    expect(parseMail(delivered[0]?.raw ?? '').text).toContain(link);
  });
});

describe('invite e-mail when the SMTP server is down', () => {
  let t: TestBackend;

  beforeAll(async () => {
    const port = await closedPort();
    t = await startTestBackend(
      { SMTP_URL: `smtp://lumina:secret@127.0.0.1:${port}`, MAIL_FROM: sender },
      { background: false },
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  it('still creates the invite and answers with its link, saying the e-mail was not sent', async () => {
    const owner = await signUpBrowser(t, 'Olga');
    const teamId = await createTeam(t, owner, 'Offline mail');
    const invitee = await signUpBrowser(t, 'Ida');
    const created = await invite(t, owner, teamId, invitee.email);
    expect(created.emailSent).toBe(false);
    expect(created.link).toMatch(/^http:\/\/lumina\.test\/invite\?token=/);
    expect(await inviteRow(t, created.inviteId)).toMatchObject({ teamId, email: invitee.email });
    expect((await acceptWith(t, invitee, created.link)).status).toBe(200);
  });

  it('shows the dashboard inviter the link to pass on', async () => {
    const owner = await signUpBrowser(t, 'Dora');
    const address = `sam-${randomBytes(4).toString('hex')}@example.com`;
    const { posted, page: after } = await postForm(t, owner, '/team/invites', { email: address, role: 'member' });
    expect(posted.status).toBe(303); // POST-redirect-GET: the link is shown once on the team page
    const page = await after.text();
    expect(page).toContain(`Send this link to ${address}`);
    expect(page).toMatch(/value="http:\/\/lumina\.test\/invite\?token=[a-z2-7]+"/);
  });
});

describe('invite e-mail without SMTP_URL', () => {
  let t: TestBackend;

  beforeAll(async () => {
    // MAIL_FROM alone does not turn mail on.
    t = await startTestBackend({ MAIL_FROM: sender }, { background: false });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('builds no mailer and attempts no delivery: the answer carries the link and says nothing was sent', async () => {
    expect(t.config.mail).toBeUndefined();
    expect(t.backend.ctx.mailer).toBeUndefined();
    const owner = await signUpBrowser(t, 'Olga');
    const teamId = await createTeam(t, owner, 'No mail');
    const invitee = await signUpBrowser(t, 'Ivo');
    const created = await invite(t, owner, teamId, invitee.email);
    expect(created).toMatchObject({ email: invitee.email, emailSent: false });
    expect((await acceptWith(t, invitee, created.link)).status).toBe(200);
  });
});
