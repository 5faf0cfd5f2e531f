import {
  ArcticFetchError,
  decodeIdToken,
  Google,
  generateCodeVerifier,
  generateState,
  OAuth2RequestError,
  type OAuth2Tokens,
} from 'arctic';
import { z } from 'zod';
import { ApiError } from '../errors.ts';

/** Who Google says signed in, from the ID token of the code exchange. */
export interface GoogleIdentity {
  /** Google's stable account id; the e-mail address of an account can change, this cannot. */
  readonly sub: string;
  readonly email: string;
  readonly emailVerified: boolean;
  readonly name: string | undefined;
}

export interface GoogleSignIn {
  /** A fresh state and PKCE code verifier, and Google's consent URL carrying the state and the S256 challenge. */
  start(): { url: URL; state: string; codeVerifier: string };
  /** Redeems the callback's code with the verifier kept since `start` and reads the ID token's claims. */
  identify(code: string, codeVerifier: string): Promise<GoogleIdentity>;
}

const googleIssuers = ['https://accounts.google.com', 'accounts.google.com'] as const;

/** The claims Lumina reads; Google's ID tokens carry more. */
const IdTokenClaims = z.object({
  iss: z.enum(googleIssuers),
  aud: z.union([z.string(), z.array(z.string())]),
  exp: z.number(),
  sub: z.string().min(1).max(255),
  email: z.string().min(3).max(254),
  email_verified: z.boolean().default(false),
  name: z.string().optional(),
});

const failed = (message: string, details?: Record<string, unknown>) =>
  new ApiError('google_sign_in_failed', message, details);

/**
 * Google sign-in through arctic's Google provider: the authorization code flow with PKCE (S256) and the
 * `openid email profile` scopes. The ID token is read without checking its signature, which Google's OpenID
 * Connect guide allows for a token received straight from its token endpoint over TLS in exchange for our
 * client secret; its issuer, audience and expiry are still checked.
 */
export function createGoogleSignIn(options: {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}): GoogleSignIn {
  const google = new Google(options.clientId, options.clientSecret, options.redirectUri);
  return {
    start() {
      const state = generateState();
      const codeVerifier = generateCodeVerifier();
      const url = google.createAuthorizationURL(state, codeVerifier, ['openid', 'email', 'profile']);
      // Let the person pick among their Google accounts instead of silently reusing the last one.
      url.searchParams.set('prompt', 'select_account');
      return { url, state, codeVerifier };
    },
    async identify(code, codeVerifier) {
      let tokens: OAuth2Tokens;
      try {
        tokens = await google.validateAuthorizationCode(code, codeVerifier);
      } catch (error) {
        if (error instanceof OAuth2RequestError) {
          throw failed('Google did not accept this sign-in (it may have expired); try again.', { oauth: error.code });
        }
        if (error instanceof ArcticFetchError) {
          throw new ApiError('unavailable', 'Google could not be reached; try again in a moment.');
        }
        throw failed('Google answered the sign-in unexpectedly; try again.');
      }
      let claims: z.infer<typeof IdTokenClaims>;
      try {
        claims = IdTokenClaims.parse(decodeIdToken(tokens.idToken()));
      } catch {
        throw failed('Google sent no usable identity; try again.');
      }
      const audiences = typeof claims.aud === 'string' ? [claims.aud] : claims.aud;
      if (!audiences.includes(options.clientId)) throw failed('The Google identity was issued to another application.');
      if (claims.exp * 1000 <= Date.now()) throw failed('The Google identity has expired; try again.');
      return { sub: claims.sub, email: claims.email, emailVerified: claims.email_verified, name: claims.name };
    },
  };
}
