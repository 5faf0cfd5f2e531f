const dayMs = 24 * 60 * 60 * 1000;

/** A session lives 30 days from its last renewal. */
export const sessionLifetimeMs = 30 * dayMs;

/** A session used when less than this is left is extended to a full lifetime again (sliding expiry). */
export const sessionRenewWithinMs = 15 * dayMs;

/** `last_used_at` is written at most this often, so reads do not each cost a write. */
export const lastUsedResolutionMs = 60_000;

export const sessionCookieName = 'lumina_session';
