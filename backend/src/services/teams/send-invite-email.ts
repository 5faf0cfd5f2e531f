import { errorFields } from '@lumina/runtime';
import type { ServiceContext } from '../context.ts';

export interface InviteEmail {
  readonly inviteId: string;
  readonly to: string;
  readonly link: string;
  readonly teamName: string;
  readonly inviterName: string;
  readonly role: string;
  readonly expiresAt: Date;
}

/**
 * E-mails an invite link through SMTP. Answers whether the server accepted the message; without SMTP
 * configured nothing is attempted, and a failed send is logged, not thrown: the invite exists either way and
 * the inviter still has its link to pass on.
 */
export async function sendInviteEmail({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'mailer' | 'log'>;
  input: InviteEmail;
}): Promise<boolean> {
  if (ctx.mailer === undefined) return false;
  // Names are typed by people: keep them on one line so they cannot break out of the Subject header.
  const inviter = oneLine(input.inviterName);
  const team = oneLine(input.teamName);
  const expires = input.expiresAt.toUTCString();
  const text = [
    `${inviter} invited you to join the team "${team}" on Lumina as ${input.role}.`,
    '',
    'Open this link to accept (it works once):',
    input.link,
    '',
    `The invitation expires on ${expires}. If you did not expect it, ignore this e-mail.`,
  ].join('\n');
  const html = [
    `<p>${escapeHtml(inviter)} invited you to join the team <strong>${escapeHtml(team)}</strong> on Lumina as ${escapeHtml(input.role)}.</p>`,
    `<p><a href="${escapeHtml(input.link)}">Accept the invitation</a> (the link works once):<br>${escapeHtml(input.link)}</p>`,
    `<p>The invitation expires on ${escapeHtml(expires)}. If you did not expect it, ignore this e-mail.</p>`,
  ].join('\n');
  try {
    await ctx.mailer.send({ to: input.to, subject: `${inviter} invited you to ${team} on Lumina`, text, html });
    return true;
  } catch (error) {
    ctx.log.warn('invite e-mail not sent', { inviteId: input.inviteId, ...errorFields(error) });
    return false;
  }
}

const oneLine = (value: string): string => value.replace(/\s+/g, ' ').trim();

const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
