import { isTerminal, TaskId, TaskListQuery } from '@lumina/shared';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { ApiError } from '../../errors.ts';
import { cancelTask } from '../../services/cancel-task.ts';
import { getTask } from '../../services/get-task.ts';
import { listTasks } from '../../services/list-tasks.ts';
import { taskPollMs } from '../../services/wait-for-task.ts';
import { authenticate } from '../authenticate.ts';
import type { AppEnv } from '../env.ts';
import { apiCostUnits, apiRateLimit } from '../rate-limit.ts';

const heartbeatMs = 15_000;

/** A malformed id cannot name a task of this team: it answers the same 404 as a missing one. */
const taskIdOf = (raw: string): string => {
  const parsed = TaskId.safeParse(raw);
  if (!parsed.success) throw new ApiError('not_found', 'No such task.');
  return parsed.data;
};

export const taskRoutes = new Hono<AppEnv>()
  .use(authenticate)
  .use(apiRateLimit(apiCostUnits.read))
  .get('/', async (c) => {
    const query = TaskListQuery.parse(c.req.query());
    return c.json(await listTasks({ ctx: c.var.ctx, input: { teamId: c.var.principal.teamId, query } }), 200);
  })
  .get('/:id', async (c) => {
    const taskId = taskIdOf(c.req.param('id'));
    return c.json(await getTask({ ctx: c.var.ctx, input: { teamId: c.var.principal.teamId, taskId } }), 200);
  })
  .post('/:id/cancel', async (c) => {
    const taskId = taskIdOf(c.req.param('id'));
    const input = { teamId: c.var.principal.teamId, taskId };
    await cancelTask({ ctx: c.var.ctx, input });
    return c.json(await getTask({ ctx: c.var.ctx, input }), 200);
  })
  .get('/:id/events', async (c) => {
    const ctx = c.var.ctx;
    const input = { teamId: c.var.principal.teamId, taskId: taskIdOf(c.req.param('id')) };
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
  });
