import { type LookupAddress, type LookupOptions, lookup } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { isLocalHostName, isPrivateAddress } from './private-address.ts';

/** What one attempt got: the HTTP status when an answer came, or why none did. */
export interface WebhookResponse {
  readonly status: number | null;
  readonly error: string | null;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * DNS resolution that refuses private addresses, used as the request's own lookup so the address checked is the
 * address connected to (a name cannot resolve to a public address for a check and a private one for the request).
 */
function publicOnlyLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const refused = addresses.find((entry) => isPrivateAddress(entry.address));
    if (refused || addresses.length === 0) {
      const why = refused ? `resolves to a private address (${refused.address})` : 'has no address';
      return callback(Object.assign(new Error(`${hostname} ${why}; refused`), { code: 'EPRIVATEADDRESS' }), []);
    }
    const [first] = addresses;
    if (options.all || !first) return callback(null, addresses);
    return callback(null, first.address, first.family);
  });
}

/**
 * POSTs one webhook: an answer's status counts as soon as its headers arrive (the body is not read), and no
 * answer within `timeoutMs` is a failure. Loopback and private addresses are refused unless allowed.
 */
export function sendWebhook(input: {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowPrivateAddresses: boolean;
}): Promise<WebhookResponse> {
  return new Promise((resolve) => {
    const url = URL.canParse(input.url) ? new URL(input.url) : undefined;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      resolve({ status: null, error: 'The URL is not an http(s) URL.' });
      return;
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!input.allowPrivateAddresses && (isLocalHostName(host) || (isIP(host) !== 0 && isPrivateAddress(host)))) {
      resolve({ status: null, error: `${host} is a private address; refused.` });
      return;
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(
      url,
      {
        method: 'POST',
        headers: { ...input.headers, 'content-length': String(Buffer.byteLength(input.body)) },
        ...(input.allowPrivateAddresses ? {} : { lookup: publicOnlyLookup }),
      },
      (response) => {
        resolve({ status: response.statusCode ?? null, error: null });
        response.resume();
        response.on('error', () => {});
      },
    );
    const timer = setTimeout(
      () => request.destroy(new Error(`No answer within ${input.timeoutMs} ms.`)),
      input.timeoutMs,
    );
    request.on('error', (error) => resolve({ status: null, error: error.message }));
    request.on('close', () => clearTimeout(timer));
    request.end(input.body);
  });
}
