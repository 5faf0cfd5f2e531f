/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { TaskListQuery, type TaskView } from '@lumina/shared';
import { Hono } from 'hono';
import type { AppEnv } from '../http/env.ts';
import { listTasks } from '../services/list-tasks.ts';
import { Layout, Time } from './layout.tsx';
import { renderPage } from './render-page.ts';
import { meOf, signedIn, webUserOf } from './web-session.ts';

const pageSize = 20;
const thumbPx = 64;

const statusLabels: Record<TaskView['status'], string> = {
  QUEUED: 'Queued',
  PROCESSING: 'Processing',
  COMPLETED: 'Done',
  FAILED: 'Failed',
  CANCELED: 'Canceled',
};

function TaskRow(props: { task: TaskView }) {
  const { task } = props;
  const credits = task.status === 'COMPLETED' ? task.creditsDeducted : task.creditsReserved;
  return (
    <tr>
      <td>
        {task.thumbnailUrl ? (
          <img
            class="thumb"
            src={task.thumbnailUrl}
            width={thumbPx}
            height={thumbPx}
            loading="lazy"
            decoding="async"
            alt={`Result of ${task.operation}`}
          />
        ) : (
          <span class="muted" aria-hidden="true">
            —
          </span>
        )}
      </td>
      <td>{task.operation}</td>
      <td>
        {statusLabels[task.status]}
        {task.error && <div class="muted">{task.error.message}</div>}
      </td>
      <td class="num">{credits}</td>
      <td>
        <Time iso={task.createdAt} />
      </td>
      <td>
        {task.resultUrl ? (
          // The stored format, as asked for at submit: a browser's `Accept` would otherwise pick AVIF or WebP.
          <a href={task.result ? `${task.resultUrl}&format=${task.result.format}` : task.resultUrl} download>
            Download<span class="visually-hidden"> result of {task.taskId}</span>
          </a>
        ) : (
          ''
        )}
      </td>
    </tr>
  );
}

/** `/tasks`: the active team's history, newest first, a page at a time (cursor in the query string). */
export const tasksPage = new Hono<AppEnv>().get('/tasks', signedIn, async (c) => {
  const user = webUserOf(c);
  const cursor = c.req.query('cursor') || undefined;
  const query = TaskListQuery.parse({ limit: String(pageSize), ...(cursor ? { cursor } : {}) });
  const [me, list] = await Promise.all([meOf(c), listTasks({ ctx: c.var.ctx, input: { teamId: user.teamId, query } })]);
  return renderPage(
    c,
    <Layout title="Tasks" me={me} path="/tasks">
      <h1>Tasks</h1>
      {list.data.length === 0 ? (
        <p>{cursor ? 'No more tasks.' : 'No tasks yet. Results from the plugins and the API show up here.'}</p>
      ) : (
        <table>
          <caption class="visually-hidden">Task history, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Result</th>
              <th scope="col">Operation</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">
                Credits
              </th>
              <th scope="col">Created</th>
              <th scope="col">
                <span class="visually-hidden">Download</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((task) => (
              <TaskRow task={task} />
            ))}
          </tbody>
        </table>
      )}
      <nav class="pager" aria-label="Pages">
        {cursor && <a href="/tasks">Newest</a>}
        {list.nextCursor && (
          <a href={`/tasks?cursor=${encodeURIComponent(list.nextCursor)}`} rel="next">
            Older tasks
          </a>
        )}
      </nav>
    </Layout>,
  );
});
