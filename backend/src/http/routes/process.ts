import {
  isTerminal,
  LuminaClientHeader,
  parsePreferWait,
  type SubmitTaskResponse as SubmitTaskAnswer,
  SubmitTaskResponse,
  TaskView,
} from '@lumina/shared';
import { z } from 'zod';
import { describeTaskSource } from '../../services/tasks/describe-task-source.ts';
import { getTask } from '../../services/tasks/get-task.ts';
import { submitTask } from '../../services/tasks/submit-task.ts';
import { waitForTask } from '../../services/tasks/wait-for-task.ts';
import { apiRoute, apiRoutes } from '../api-route.ts';
import { authenticate } from '../authenticate.ts';
import { apiCostUnits, apiRateLimit } from '../rate-limit.ts';
import { processRequestBody, readProcessRequest } from '../read-process-request.ts';

/** A submit stores an upload and queues model work: it costs more of the caller's API budget than a read. */
const submitRateLimit = apiRateLimit(apiCostUnits.submit);

const ProcessHeaders = z.object({
  'Idempotency-Key': z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/, 'Idempotency-Key must be 1–255 visible ASCII characters.')
    .optional()
    .meta({ description: 'Makes a retry safe: the same key answers the same task, charged once.' }),
  'X-Lumina-Client': LuminaClientHeader.optional().meta({
    description: 'Which Lumina client sent the request (shown as the task source in the history).',
  }),
  Prefer: z.string().optional().meta({
    description: '`wait=N` (N ≤ 60): answer 200 with the finished task when it completes in time.',
    example: 'wait=30',
  }),
});

const creditHeaders = {
  'X-Credits-Charged': {
    description: 'Credits reserved by this submit (0 on a replay).',
    schema: { type: 'string' as const },
  },
  'X-Credits-Remaining': { description: "The team's balance after this submit.", schema: { type: 'string' as const } },
};

export const processRoutes = apiRoutes().openapi(
  apiRoute(
    {
      tag: 'processing',
      auth: 'api',
      errors: [
        'invalid_request',
        'invalid_prompt',
        'empty_upload',
        'upload_too_large',
        'unsupported_media_type',
        'image_corrupt',
        'image_too_large',
        'output_too_large',
        'insufficient_credits',
        'idempotency_key_reused',
        'operation_unavailable',
        'unavailable',
        // A `sourceTaskId` that is unknown (or another team's), not completed, or past its retention.
        'not_found',
        'source_not_completed',
        'result_expired',
        'unauthorized',
        'rate_limited',
      ],
    },
    {
      method: 'post',
      path: '/',
      operationId: 'process',
      summary: 'Submit an image for processing',
      description:
        'Stores the image, reserves the credits and queues the task. `Idempotency-Key` makes a retry safe; `Prefer: wait=N` (N ≤ 60) answers 200 with the finished task when it completes in time. The same image bytes, operation and parameters as a completed task of the team whose result is still kept (magic edits excepted) answer at once with a new task that is already `COMPLETED`, holds a copy of that result and costs 0 credits (`duplicates` in the capabilities). `sourceTaskId` instead of an image continues from a completed task’s result (upscale a cut-out, edit a take again) without sending it again; each step is charged as usual, and the new task shows its `sourceTaskId`.',
      middleware: [authenticate, submitRateLimit],
      request: { headers: ProcessHeaders, body: processRequestBody() },
      responses: {
        200: {
          description: 'The task finished within `Prefer: wait`.',
          headers: creditHeaders,
          content: { 'application/json': { schema: TaskView } },
        },
        202: {
          description: 'Queued.',
          headers: creditHeaders,
          content: { 'application/json': { schema: SubmitTaskResponse } },
        },
      },
    },
  ),
  async (c) => {
    const ctx = c.var.ctx;
    const { teamId, userId } = c.var.principal;
    const headers = c.req.valid('header');
    // The upload is read by its own parser (files stream to bytes once, with their own size checks).
    const processRequest = await readProcessRequest(c, ctx.config.limits.maxUploadBytes);
    const source = await describeTaskSource({
      ctx,
      input: { principal: c.var.principal, client: headers['X-Lumina-Client'] },
    });
    const submitted = await submitTask({
      ctx,
      input: {
        ...processRequest,
        teamId,
        idempotencyKey: headers['Idempotency-Key'],
        submittedByUserId: userId,
        requestId: c.var.requestId,
        source,
      },
    });

    c.header('X-Credits-Charged', String(submitted.creditsCharged));
    c.header('X-Credits-Remaining', String(submitted.creditsRemaining));
    c.header('Location', `/api/v1/tasks/${submitted.taskId}`);
    if (submitted.replayed) c.header('Idempotent-Replayed', 'true');

    const wait = parsePreferWait(headers.Prefer);
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
    const body: SubmitTaskAnswer = {
      taskId: view.taskId,
      status: view.status,
      eta: view.eta ?? 0,
      queuePosition: view.queuePosition,
    };
    return c.json(body, 202);
  },
);
