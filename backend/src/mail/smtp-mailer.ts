import nodemailer from 'nodemailer';
import type { Mailer } from './mailer.ts';

/**
 * SMTP through nodemailer, from `SMTP_URL` (`smtp://user:pass@host:587` upgrades with STARTTLS when offered,
 * `smtps://…:465` is TLS from the start). The timeouts are short because a request waits for the send: an SMTP
 * server that does not answer costs the inviter seconds, not minutes.
 */
export function createSmtpMailer(options: { smtpUrl: string; from: string }): Mailer {
  const transport = nodemailer.createTransport(
    { url: options.smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 },
    { from: options.from },
  );
  return {
    async send(message) {
      await transport.sendMail({ to: message.to, subject: message.subject, text: message.text, html: message.html });
    },
    close() {
      transport.close();
    },
  };
}
