import { isTerminal, type TaskView } from '@lumina/shared';
import type { ServiceContext } from '../context.ts';
import { getTask } from './get-task.ts';

/** Re-read at this pace too, in case the task settled in another backend process. */
export const taskPollMs = 1000;

/** Resolves with the task once it is settled, or with its latest view when `timeoutMs` runs out. */
export async function waitForTask({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { teamId: string; taskId: string; timeoutMs: number; signal?: AbortSignal };
}): Promise<TaskView> {
  const deadline = Date.now() + input.timeoutMs;
  for (;;) {
    const view = await getTask({ ctx, input });
    const left = deadline - Date.now();
    if (isTerminal(view.status) || left <= 0 || input.signal?.aborted) return view;
    await ctx.updates.next(input.taskId, Math.min(taskPollMs, left), input.signal);
  }
}
