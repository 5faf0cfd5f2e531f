import type { ResultInfo, TaskErrorCode, TaskWebhookData, WebhookPayload } from '@lumina/shared';

/** The body of `task.completed` / `task.failed` for a task settling now. */
export function taskWebhookPayload(input: {
  taskId: string;
  operation: string;
  credits: number;
  now: Date;
  outcome:
    | { readonly kind: 'completed'; readonly result: { readonly result: ResultInfo } }
    | { readonly kind: 'failed'; readonly code: TaskErrorCode; readonly message: string };
}): WebhookPayload {
  const { outcome } = input;
  const data: TaskWebhookData = {
    taskId: input.taskId,
    status: outcome.kind === 'completed' ? 'COMPLETED' : 'FAILED',
    operation: input.operation,
    creditsDeducted: outcome.kind === 'completed' ? input.credits : 0,
    finishedAt: input.now.toISOString(),
    ...(outcome.kind === 'completed'
      ? { result: { ...outcome.result.result } }
      : { error: { code: outcome.code, message: outcome.message } }),
  };
  return {
    type: outcome.kind === 'completed' ? 'task.completed' : 'task.failed',
    timestamp: input.now.toISOString(),
    data,
  };
}
