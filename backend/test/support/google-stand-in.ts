import { createHash, createSign, generateKeyPairSync, randomBytes } from 'node:crypto';
import { type Dispatcher, getGlobalDispatcher, MockAgent, setGlobalDispatcher } from 'undici';

/** A Google account as the stand-in signs it in. */
export interface GoogleAccount {
  readonly sub: string;
  readonly email: string;
  readonly emailVerified: boolean;
  readonly name?: string;
}

export interface GoogleStandIn {
  /** `GOOGLE_CLIENT_ID` / `GOOGLE_CLIENT_SECRET` for the backend under test. */
  readonly env: { GOOGLE_CLIENT_ID: string; GOOGLE_CLIENT_SECRET: string };
  /** Codes redeemed at the token endpoint, successfully or not. */
  readonly tokenRequests: Array<{ code: string; status: number }>;
  /**
   * What Google's consent screen does: checks the authorization URL the backend sent the browser to, and
   * answers with the redirect back to the app (`redirect_uri?state=…&code=…`) for `account`.
   */
  consent(authorizationUrl: string, account: GoogleAccount): URL;
  close(): Promise<void>;
}

const base64url = (bytes: Buffer | string): string => Buffer.from(bytes).toString('base64url');

/**
 * Google's OAuth 2.0 endpoints, replaced at their wire protocol: Node's `fetch` (which arctic uses) goes through
 * undici's global dispatcher, so a MockAgent answers `POST https://oauth2.googleapis.com/token` as Google does —
 * client authentication by HTTP Basic, single-use codes bound to the redirect URI and the PKCE S256 challenge,
 * and an RS256-signed ID token. Every other host except loopback is refused.
 */
export function startGoogleStandIn(): GoogleStandIn {
  const clientId = `${randomBytes(6).toString('hex')}-test.apps.googleusercontent.com`;
  const clientSecret = `GOCSPX-${randomBytes(12).toString('base64url')}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyId = randomBytes(8).toString('hex');
  const grants = new Map<string, { challenge: string; redirectUri: string; account: GoogleAccount }>();
  const tokenRequests: Array<{ code: string; status: number }> = [];

  const previous: Dispatcher = getGlobalDispatcher();
  const agent = new MockAgent();
  agent.disableNetConnect();
  agent.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
  setGlobalDispatcher(agent);

  const oauthError = (statusCode: number, error: string, description: string) => ({
    statusCode,
    data: JSON.stringify({ error, error_description: description }),
    responseOptions: { headers: { 'content-type': 'application/json; charset=utf-8' } },
  });

  function idToken(account: GoogleAccount): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', kid: keyId, typ: 'JWT' };
    const payload = {
      iss: 'https://accounts.google.com',
      azp: clientId,
      aud: clientId,
      sub: account.sub,
      email: account.email,
      email_verified: account.emailVerified,
      at_hash: base64url(randomBytes(16)),
      ...(account.name ? { name: account.name, given_name: account.name.split(' ')[0] } : {}),
      iat: now,
      exp: now + 3600,
    };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
    const signature = createSign('RSA-SHA256').update(signingInput).sign(privateKey);
    return `${signingInput}.${base64url(signature)}`;
  }

  agent
    .get('https://oauth2.googleapis.com')
    .intercept({ path: '/token', method: 'POST' })
    .reply((request) => {
      const raw = request.body;
      const text =
        typeof raw === 'string' ? raw : raw instanceof Uint8Array ? new TextDecoder().decode(raw) : String(raw ?? '');
      const form = new URLSearchParams(text);
      const code = form.get('code') ?? '';
      const answer = (() => {
        const headers = request.headers as Record<string, string | undefined>;
        const authorization = headers.Authorization ?? headers.authorization;
        if (authorization !== `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`) {
          return oauthError(401, 'invalid_client', 'The OAuth client was not found.');
        }
        if (form.get('grant_type') !== 'authorization_code') {
          return oauthError(400, 'unsupported_grant_type', 'Invalid grant_type.');
        }
        const grant = grants.get(code);
        grants.delete(code);
        if (!grant) return oauthError(400, 'invalid_grant', 'Malformed auth code.');
        if (form.get('redirect_uri') !== grant.redirectUri) {
          return oauthError(400, 'redirect_uri_mismatch', 'Bad Request');
        }
        const verifier = form.get('code_verifier') ?? '';
        if (base64url(createHash('sha256').update(verifier).digest()) !== grant.challenge) {
          return oauthError(400, 'invalid_grant', 'Invalid code verifier.');
        }
        return {
          statusCode: 200,
          data: JSON.stringify({
            access_token: `ya29.${randomBytes(24).toString('base64url')}`,
            expires_in: 3599,
            scope:
              'openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile',
            token_type: 'Bearer',
            id_token: idToken(grant.account),
          }),
          responseOptions: { headers: { 'content-type': 'application/json; charset=utf-8' } },
        };
      })();
      tokenRequests.push({ code, status: answer.statusCode });
      return answer;
    })
    .persist();

  return {
    env: { GOOGLE_CLIENT_ID: clientId, GOOGLE_CLIENT_SECRET: clientSecret },
    tokenRequests,
    consent(authorizationUrl, account) {
      const url = new URL(authorizationUrl);
      const param = (name: string): string => {
        const value = url.searchParams.get(name);
        if (!value) throw new Error(`the authorization URL has no ${name}`);
        return value;
      };
      if (url.origin !== 'https://accounts.google.com' || url.pathname !== '/o/oauth2/v2/auth') {
        throw new Error(`not Google's authorization endpoint: ${url.origin}${url.pathname}`);
      }
      if (param('client_id') !== clientId) throw new Error('unknown client_id');
      if (param('response_type') !== 'code') throw new Error('response_type must be code');
      if (param('code_challenge_method') !== 'S256') throw new Error('PKCE must be S256');
      const code = `4/0A${randomBytes(24).toString('base64url')}`;
      const redirectUri = param('redirect_uri');
      grants.set(code, { challenge: param('code_challenge'), redirectUri, account });
      const back = new URL(redirectUri);
      back.searchParams.set('state', param('state'));
      back.searchParams.set('code', code);
      back.searchParams.set('scope', 'email profile openid');
      back.searchParams.set('authuser', '0');
      back.searchParams.set('prompt', 'consent');
      return back;
    },
    async close() {
      setGlobalDispatcher(previous);
      await agent.close();
    },
  };
}
