import type { TaskView } from '@lumina/shared';
import { and, eq } from 'drizzle-orm';
import { tasks } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import type { ServiceContext } from '../context.ts';
import { toTaskView } from './task-view.ts';

/** One task of the caller's team. Another team's task answers exactly like a missing one. */
export async function getTask({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { teamId: string; taskId: string };
}): Promise<TaskView> {
  const [row] = await ctx.db
    .select()
    .from(tasks)
    .where(and(eq(tasks.id, input.taskId), eq(tasks.teamId, input.teamId)));
  if (!row) throw new ApiError('not_found', 'No such task.');
  return toTaskView(ctx, row, { live: true });
}
