import type { SessionKind, TeamRole } from '@lumina/shared';

/** A request authenticated by an API key: it acts for the key's team, and for no person. */
export interface ApiKeyPrincipal {
  readonly kind: 'api_key';
  readonly teamId: string;
  readonly apiKeyId: string;
  readonly userId: null;
  readonly sessionId: null;
  readonly role: null;
}

/**
 * A request authenticated by a person's session: a browser (cookie; the team comes from the `Lumina-Team`
 * header, the personal team by default) or a plugin (bearer; bound to the team the user approved).
 */
export interface UserPrincipal {
  readonly kind: 'user';
  readonly teamId: string;
  readonly apiKeyId: null;
  readonly userId: string;
  readonly sessionId: string;
  readonly sessionKind: SessionKind;
  /** The user's role in `teamId`. */
  readonly role: TeamRole;
}

/** Who acts in a request, and for which team. Every authenticated route reads `c.var.principal`. */
export type Principal = ApiKeyPrincipal | UserPrincipal;
