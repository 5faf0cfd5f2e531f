import { createHmac, randomBytes } from 'node:crypto';

const secretPrefix = 'whsec_';

/** A signing secret as the Standard Webhooks specification writes it: `whsec_` + base64 of 24 random bytes. */
export const newWebhookSecret = (): string => `${secretPrefix}${randomBytes(24).toString('base64')}`;

/**
 * The `webhook-signature` header: `v1,<base64 HMAC-SHA256>` of `${id}.${timestamp}.${body}` keyed with the
 * base64-decoded secret, once per secret, space-separated (a rotated endpoint's old secret signs too for a while,
 * so a receiver that has not switched yet keeps verifying).
 */
export function signWebhook(input: {
  id: string;
  timestampSeconds: number;
  body: string;
  secrets: readonly string[];
}): string {
  const content = `${input.id}.${input.timestampSeconds}.${input.body}`;
  return input.secrets
    .map((secret) => {
      const key = Buffer.from(secret.startsWith(secretPrefix) ? secret.slice(secretPrefix.length) : secret, 'base64');
      return `v1,${createHmac('sha256', key).update(content).digest('base64')}`;
    })
    .join(' ');
}
