import { isTerminal, LuminaClientHeader, parsePreferWait, type SubmitTaskResponse } from '@lumina/shared';
import { Hono } from 'hono';
import { ApiError } from '../../errors.ts';
import { describeTaskSource } from '../../services/describe-task-source.ts';
import { getTask } from '../../services/get-task.ts';
import { submitTask } from '../../services/submit-task.ts';
import { waitForTask } from '../../services/wait-for-task.ts';
import { authenticate } from '../authenticate.ts';
import type { AppEnv } from '../env.ts';
import { apiCostUnits, apiRateLimit } from '../rate-limit.ts';
import { readProcessRequest } from '../read-process-request.ts';

const idempotencyKeyPattern = /^[\x21-\x7e]{1,255}$/;

/** A submit stores an upload and queues model work: it costs more of the caller's API budget than a read. */
const submitRateLimit = apiRateLimit(apiCostUnits.submit);

export const processRoutes = new Hono<AppEnv>().post('/', authenticate, submitRateLimit, async (c) => {
  const ctx = c.var.ctx;
  const { teamId, userId } = c.var.principal;
  const idempotencyKey = c.req.header('idempotency-key');
  if (idempotencyKey !== undefined && !idempotencyKeyPattern.test(idempotencyKey)) {
    throw new ApiError('invalid_request', 'Idempotency-Key must be 1–255 visible ASCII characters.');
  }
  const client = LuminaClientHeader.optional().safeParse(c.req.header('x-lumina-client'));
  if (!client.success) {
    throw new ApiError('invalid_request', `X-Lumina-Client must be one of: ${LuminaClientHeader.options.join(', ')}.`);
  }
  const processRequest = await readProcessRequest(c, ctx.config.limits.maxUploadBytes);
  const source = await describeTaskSource({ ctx, input: { principal: c.var.principal, client: client.data } });
  const submitted = await submitTask({
    ctx,
    input: {
      ...processRequest,
      teamId,
      idempotencyKey,
      submittedByUserId: userId,
      requestId: c.var.requestId,
      source,
    },
  });

  c.header('X-Credits-Charged', String(submitted.creditsCharged));
  c.header('X-Credits-Remaining', String(submitted.creditsRemaining));
  c.header('Location', `/api/v1/tasks/${submitted.taskId}`);
  if (submitted.replayed) c.header('Idempotent-Replayed', 'true');

  const wait = parsePreferWait(c.req.header('prefer'));
  const waitSeconds = wait === null ? 0 : Math.min(wait, ctx.config.limits.maxPreferWaitSeconds);
  if (waitSeconds > 0) {
    c.header('Preference-Applied', `wait=${waitSeconds}`);
    const view = await waitForTask({
      ctx,
      input: { teamId, taskId: submitted.taskId, timeoutMs: waitSeconds * 1000, signal: c.req.raw.signal },
    });
    if (isTerminal(view.status)) return c.json(view, 200);
  }
  const view = await getTask({ ctx, input: { teamId, taskId: submitted.taskId } });
  const body: SubmitTaskResponse = {
    taskId: view.taskId,
    status: view.status,
    eta: view.eta ?? 0,
    queuePosition: view.queuePosition,
  };
  return c.json(body, 202);
});
