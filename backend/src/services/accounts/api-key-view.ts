import type { ApiKeyView } from '@lumina/shared';
import type { apiKeys } from '../../db/schema.ts';

export const toApiKeyView = (key: typeof apiKeys.$inferSelect): ApiKeyView => ({
  id: key.id,
  name: key.name,
  prefix: key.displayPrefix,
  createdAt: key.createdAt.toISOString(),
  lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
  revokedAt: key.revokedAt?.toISOString() ?? null,
});
