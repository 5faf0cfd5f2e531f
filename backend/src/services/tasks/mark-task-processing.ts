import { and, eq } from 'drizzle-orm';
import { tasks } from '../../db/schema.ts';
import type { ServiceContext } from '../context.ts';

/** Records that a worker picked the task up. Only a QUEUED task moves; a settled one stays as it is. */
export async function markTaskProcessing({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db' | 'updates'>;
  input: { taskId: string };
}): Promise<void> {
  const moved = await ctx.db
    .update(tasks)
    .set({ status: 'PROCESSING', startedAt: new Date() })
    .where(and(eq(tasks.id, input.taskId), eq(tasks.status, 'QUEUED')))
    .returning({ id: tasks.id });
  if (moved.length > 0) ctx.updates.publish(input.taskId);
}
