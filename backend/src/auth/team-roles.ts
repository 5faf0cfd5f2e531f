import type { TeamRole } from '@lumina/shared';

const rank: Record<TeamRole, number> = { member: 0, admin: 1, owner: 2 };

/** Whether `role` is at least `minimum` (owner > admin > member). */
export const hasRole = (role: TeamRole, minimum: TeamRole): boolean => rank[role] >= rank[minimum];
