import type { AbortSignalLike, CreatePairingBody, LuminaClient, PairingCreated } from '@lumina/shared';

/** API keys are team credentials made on the dashboard; a plugin session token is the person's own. */
export const isApiKey = (token: string): boolean => token.startsWith('lum_');

export interface BrowserSignIn {
  readonly client: CreatePairingBody['client'];
  readonly label: string;
  /** Opens the approval page; a host that blocks pop-ups after an await shows `pairing` as a link instead. */
  readonly openUrl: (url: string) => void;
  /** Called once the pairing exists, to show its code while waiting. */
  readonly onPairing?: (pairing: PairingCreated) => void;
  readonly signal?: AbortSignalLike;
}

/**
 * Device-style sign-in: asks for a pairing, opens the approval page, polls until the person approves, and
 * resolves with the plugin session token. Denied, expired and aborted pairings reject with a `LuminaApiError`.
 */
export async function signInWithBrowser(client: LuminaClient, options: BrowserSignIn): Promise<string> {
  const pairing = await client.startPairing({ client: options.client, label: options.label }, options.signal);
  options.onPairing?.(pairing);
  options.openUrl(pairing.verificationUriComplete);
  const token = await client.waitForPairing(pairing, { signal: options.signal });
  return token.token;
}

/**
 * Ends the plugin's session: a session token is revoked on the server through the client, so a copy of it stops
 * working too; an API key is only forgotten, since revoking it would cut off every other use of the team's key.
 * The caller forgets the token whatever this answers: `'kept-on-server'` says the server could not be told.
 */
export async function signOut(client: LuminaClient): Promise<'revoked' | 'forgotten' | 'kept-on-server'> {
  if (!client.token) return 'forgotten';
  if (isApiKey(client.token)) return 'forgotten';
  try {
    await client.signOut();
    return 'revoked';
  } catch (error) {
    // Already expired or revoked elsewhere: the session is gone either way.
    if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'unauthorized') {
      return 'revoked';
    }
    return 'kept-on-server';
  }
}
