import type { TaskList, TaskListQuery } from '@lumina/shared';
import { and, desc, eq, lt } from 'drizzle-orm';
import { tasks } from '../../db/schema.ts';
import type { ServiceContext } from '../context.ts';
import { toTaskView } from './task-view.ts';

/** The team's history, newest first, narrowed by status, operation and source when asked. Ids sort by creation time, so the last id of a page is the cursor. */
export async function listTasks({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { teamId: string; query: TaskListQuery };
}): Promise<TaskList> {
  const { limit, cursor, status, operation, source } = input.query;
  const rows = await ctx.db
    .select()
    .from(tasks)
    .where(
      and(
        eq(tasks.teamId, input.teamId),
        ...(cursor ? [lt(tasks.id, cursor)] : []),
        ...(status ? [eq(tasks.status, status)] : []),
        ...(operation ? [eq(tasks.operation, operation)] : []),
        ...(source ? [eq(tasks.sourceKind, source)] : []),
      ),
    )
    .orderBy(desc(tasks.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const data = await Promise.all(page.map((row) => toTaskView(ctx, row, { live: false })));
  const last = page.at(-1);
  return { data, nextCursor: rows.length > limit && last ? last.id : null };
}
