import { $ } from '@hono/zod-openapi';
import { isTerminal, TaskId, TaskList, TaskListQuery, TaskView } from '@lumina/shared';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { ApiError } from '../../errors.ts';
import { cancelTask } from '../../services/tasks/cancel-task.ts';
import { getTask } from '../../services/tasks/get-task.ts';
import { listTasks } from '../../services/tasks/list-tasks.ts';
import { taskPollMs } from '../../services/tasks/wait-for-task.ts';
import { apiRoute, apiRoutes, type Contract, eventStream, json, pathId } from '../api-route.ts';
import { authenticate } from '../authenticate.ts';
import { apiCostUnits, apiRateLimit } from '../rate-limit.ts';

const heartbeatMs = 15_000;

/** Any text: a malformed id cannot name a task of this team, so it answers the same 404 as a missing one. */
const TaskPath = z.object({ id: pathId('The task id (`task_…`).') });
const taskIdOf = (raw: string): string => {
  const parsed = TaskId.safeParse(raw);
  if (!parsed.success) throw new ApiError('not_found', 'No such task.');
  return parsed.data;
};

const read = (errors: Contract['errors']): Contract => ({
  tag: 'processing',
  auth: 'api',
  errors: [...errors, 'unauthorized', 'rate_limited'],
});

export const taskRoutes = $(apiRoutes().use(authenticate).use(apiRateLimit(apiCostUnits.read)))
  .openapi(
    apiRoute(read(['invalid_request']), {
      method: 'get',
      path: '/',
      operationId: 'listTasks',
      summary: "The team's tasks, newest first",
      request: { query: TaskListQuery },
      responses: { 200: json(TaskList, 'One page.') },
    }),
    async (c) => {
      const input = { teamId: c.var.principal.teamId, query: c.req.valid('query') };
      return c.json(await listTasks({ ctx: c.var.ctx, input }), 200);
    },
  )
  .openapi(
    apiRoute(read(['not_found']), {
      method: 'get',
      path: '/{id}',
      operationId: 'getTask',
      summary: 'One task, with live progress, queue position and eta',
      request: { params: TaskPath },
      responses: { 200: json(TaskView, 'The task.') },
    }),
    async (c) => {
      const taskId = taskIdOf(c.req.valid('param').id);
      return c.json(await getTask({ ctx: c.var.ctx, input: { teamId: c.var.principal.teamId, taskId } }), 200);
    },
  )
  .openapi(
    apiRoute(read(['not_found', 'task_not_cancelable']), {
      method: 'post',
      path: '/{id}/cancel',
      operationId: 'cancelTask',
      summary: 'Cancel a queued or running task and release its credits',
      request: { params: TaskPath },
      responses: { 200: json(TaskView, 'The canceled task.') },
    }),
    async (c) => {
      const input = { teamId: c.var.principal.teamId, taskId: taskIdOf(c.req.valid('param').id) };
      await cancelTask({ ctx: c.var.ctx, input });
      return c.json(await getTask({ ctx: c.var.ctx, input }), 200);
    },
  )
  .openapi(
    apiRoute(read(['not_found']), {
      method: 'get',
      path: '/{id}/events',
      operationId: 'taskEvents',
      summary: 'Server-sent events: the task (event `task`) on every change, until it ends',
      request: { params: TaskPath },
      responses: {
        200: eventStream(TaskView, 'An event stream; each `data` is a task view.'),
      },
    }),
    async (c) => {
      const ctx = c.var.ctx;
      const input = { teamId: c.var.principal.teamId, taskId: taskIdOf(c.req.valid('param').id) };
      let view = await getTask({ ctx, input }); // 404 before the stream opens
      return streamSSE(c, async (stream) => {
        let id = 0;
        let last = '';
        let quietSince = Date.now();
        for (;;) {
          const data = JSON.stringify(view);
          if (data !== last) {
            last = data;
            id += 1;
            quietSince = Date.now();
            await stream.writeSSE({ event: 'task', id: String(id), data });
          } else if (Date.now() - quietSince >= heartbeatMs) {
            quietSince = Date.now();
            await stream.write(': keep-alive\n\n');
          }
          if (isTerminal(view.status) || stream.aborted) return;
          await ctx.updates.next(input.taskId, taskPollMs, c.req.raw.signal);
          if (c.req.raw.signal.aborted) return;
          view = await getTask({ ctx, input });
        }
      });
    },
  );
