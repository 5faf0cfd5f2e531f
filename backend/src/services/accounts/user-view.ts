import type { UserView } from '@lumina/shared';
import type { users } from '../../db/schema.ts';

export const toUserView = (user: Pick<typeof users.$inferSelect, 'id' | 'email' | 'name' | 'createdAt'>): UserView => ({
  id: user.id,
  email: user.email,
  name: user.name,
  createdAt: user.createdAt.toISOString(),
});
