/** One e-mail: plain text always, HTML optionally (the same content). */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string | undefined;
}

/** Sends mail; a rejected promise means the message was not accepted by the server. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}
