import { isTerminal, queueOf } from '@lumina/shared';
import { and, eq } from 'drizzle-orm';
import { tasks } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import type { ServiceContext } from './context.ts';
import { settleTask } from './settle-task.ts';

/**
 * Cancels a queued or running task and releases its credits. A queued job is removed from the queue; a
 * running one finishes on its worker, but its outcome no longer changes the task and its result is removed.
 */
export async function cancelTask({ ctx, input }: { ctx: ServiceContext; input: { teamId: string; taskId: string } }) {
  const [task] = await ctx.db
    .select({ status: tasks.status, operation: tasks.operation })
    .from(tasks)
    .where(and(eq(tasks.id, input.taskId), eq(tasks.teamId, input.teamId)));
  if (!task) throw new ApiError('not_found', 'No such task.');
  if (isTerminal(task.status)) {
    throw new ApiError('task_not_cancelable', `The task is already ${task.status}.`, { status: task.status });
  }
  await ctx.queue.remove(input.taskId, queueOf(task.operation)).catch(() => false);
  const settled = await settleTask({
    ctx,
    input: { taskId: input.taskId, teamId: input.teamId, outcome: { kind: 'canceled' } },
  });
  if (!settled) throw new ApiError('task_not_cancelable', 'The task finished before it could be canceled.');
}
