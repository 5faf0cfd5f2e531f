import { isTerminal, queueOf } from '@lumina/shared';
import { and, eq } from 'drizzle-orm';
import { tasks } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import type { ServiceContext } from '../context.ts';
import { settleTask } from './settle-task.ts';
import { waitForTask } from './wait-for-task.ts';

/** How long a cancel waits for the worker to let go of a running job before answering with the task as it is. */
export const cancelWaitMs = 10_000;

/**
 * Cancels a queued or running task and releases its credits. A queued job is removed from the queue and the task
 * settled at once. A running one is asked to stop: its worker aborts it between tiles or stages and fails it as
 * `canceled`, and only then is the task settled CANCELED and its credits released, so a cancel never frees credits
 * while the compute goes on. The answer waits a little for that; a task still PROCESSING then becomes CANCELED
 * moments later. A running magic edit is settled CANCELED at once (its worker does not follow cancel requests).
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
  const queue = queueOf(task.operation);
  const removed = await ctx.queue.remove(input.taskId, queue).catch(() => false);
  // Only gpu-workers follow cancel requests. A running magic edit is one Gemini call already paid for upstream, and
  // the edit worker's late answer is ignored at settle, so it is settled CANCELED at once, as before.
  if (!removed && queue === 'gpu') {
    await ctx.queue.requestCancel(input.taskId, queue);
    const view = await waitForTask({ ctx, input: { ...input, timeoutMs: cancelWaitMs } });
    if (view.status === 'CANCELED' || !isTerminal(view.status)) return;
    throw new ApiError('task_not_cancelable', 'The task finished before it could be canceled.');
  }
  const settled = await settleTask({
    ctx,
    input: { taskId: input.taskId, teamId: input.teamId, outcome: { kind: 'canceled' } },
  });
  if (!settled) throw new ApiError('task_not_cancelable', 'The task finished before it could be canceled.');
}
