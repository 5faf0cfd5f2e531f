import { isIP } from 'node:net';
import { ApiError } from '../../errors.ts';
import { isLocalHostName, isPrivateAddress } from '../../webhooks/private-address.ts';

/**
 * Refuses a webhook URL Lumina must not call: not http(s), with credentials in it, or naming a loopback or
 * private address (unless the deployment allows those). A name that resolves to a private address is refused
 * again when each request is sent.
 */
export function checkWebhookUrl(raw: string, options: { allowPrivateUrls: boolean }): string {
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ApiError('webhook_url_refused', 'The webhook URL must be an http:// or https:// URL.');
  }
  if (url.username !== '' || url.password !== '') {
    throw new ApiError('webhook_url_refused', 'The webhook URL must not carry a user name or password.');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!options.allowPrivateUrls && (isLocalHostName(host) || (isIP(host) !== 0 && isPrivateAddress(host)))) {
    throw new ApiError('webhook_url_refused', `${host} is a loopback or private address; webhooks go to public hosts.`);
  }
  return url.toString();
}
