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
    const refused = addresses.some((entry) => isPrivateAddress(entry.address));
    if (refused || addresses.length === 0) {
      // The address itself stays out of the message: it ends up in the delivery log the team can read.
      const why = refused ? 'resolves to a private address' : 'has no address';
      return callback(Object.assign(new Error(`${hostname} ${why}; refused`), { code: 'EPRIVATEADDRESS' }), []);
    }
    const [first] = addresses;
    if (options.all || !first) return callback(null, addresses);
    return callback(null, first.address, first.family);
  });
}

/** Socket errors a team may read, in words that name neither the addresses resolved nor the ports tried. */
const failureByCode: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved in time',
  ETIMEDOUT: 'the connection timed out',
  EPIPE: 'the connection was closed while sending',
};

/**
 * What the delivery log says about a failed attempt. Node's socket errors carry the address connected to
 * (`connect ECONNREFUSED 10.0.0.5:80`), which is what the DNS answered; a team must not learn an internal
 * network's addresses through its webhook log, so only our own words and the error code are kept.
 */
function describeFailure(error: Error, host: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EPRIVATEADDRESS' || code === undefined) return error.message;
  return `${host}: ${failureByCode[code] ?? 'the request failed'} (${code}).`;
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
    request.on('error', (error) => resolve({ status: null, error: describeFailure(error, host) }));
    request.on('close', () => clearTimeout(timer));
    request.end(input.body);
  });
}
