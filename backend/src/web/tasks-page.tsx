/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { Operation, TaskId, TaskListQuery, TaskSourceKind, TaskStatus, type TaskView } from '@lumina/shared';
import { Hono } from 'hono';
import { ApiError } from '../errors.ts';
import type { AppEnv } from '../http/env.ts';
import { getTask } from '../services/tasks/get-task.ts';
import { listTasks } from '../services/tasks/list-tasks.ts';
import { readTaskInputPreview } from '../services/tasks/read-task-input-preview.ts';
import {
  credits,
  describeOperation,
  describeSource,
  operationNames,
  sourceNames,
  statusNames,
} from './describe-task.ts';
import { Layout, Time } from './layout.tsx';
import { renderPage } from './render-page.ts';
import { FromTask, StatusBadge, TaskTable } from './task-list.tsx';
import { meOf, signedIn, webUserOf } from './web-session.ts';

const pageSize = 20;

type Filters = Pick<TaskListQuery, 'status' | 'operation' | 'source'>;

/** The filters from the query string; an empty value (the "Any" choice) is no filter. Unknown values are a 400. */
function readFilters(query: (name: string) => string | undefined): Filters {
  const picked = (name: string) => query(name) || undefined;
  const parsed = TaskListQuery.pick({ status: true, operation: true, source: true }).safeParse({
    status: picked('status'),
    operation: picked('operation'),
    source: picked('source'),
  });
  if (!parsed.success) throw new ApiError('invalid_request', 'That filter is not one the task history knows.');
  return parsed.data;
}

/** The query string for a page of the history with these filters (and cursor). */
function historyHref(filters: Filters, cursor?: string): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) if (value) params.set(name, value);
  if (cursor) params.set('cursor', cursor);
  const query = params.toString();
  return query ? `/tasks?${query}` : '/tasks';
}

function FilterSelect(props: { name: string; label: string; value?: string | undefined; options: [string, string][] }) {
  return (
    <label>
      {props.label}
      <select name={props.name}>
        <option value="">Any</option>
        {props.options.map(([value, text]) => (
          <option value={value} selected={props.value === value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The filters as a plain GET form: works without script, and the address can be bookmarked or shared. */
function FilterForm(props: { filters: Filters }) {
  const { filters } = props;
  const active = Boolean(filters.status || filters.operation || filters.source);
  return (
    <form class="filters" method="get" action="/tasks" aria-label="Filter tasks">
      <FilterSelect
        name="status"
        label="Status"
        value={filters.status}
        options={TaskStatus.options.map((s) => [s, statusNames[s]])}
      />
      <FilterSelect
        name="operation"
        label="Operation"
        value={filters.operation}
        options={Operation.options.map((o) => [o, operationNames[o]])}
      />
      <FilterSelect
        name="source"
        label="Source"
        value={filters.source}
        options={TaskSourceKind.options.map((s) => [s, sourceNames[s]])}
      />
      <button type="submit" class="secondary">
        Filter
      </button>
      {active && <a href="/tasks">Clear filters</a>}
    </form>
  );
}

/** One side of the before/after view, on a checkerboard so transparency shows as such. */
function Side(props: { label: string; src: string | null; alt: string; href?: string | null }) {
  return (
    <figure class="side">
      <figcaption>{props.label}</figcaption>
      {props.src ? (
        <a href={props.href ?? props.src} title={`Open the ${props.label.toLowerCase()} image at full size`}>
          <img class="checker" src={props.src} alt={props.alt} decoding="async" />
        </a>
      ) : (
        <p class="muted">Not available.</p>
      )}
    </figure>
  );
}

function TaskDetail(props: { task: TaskView }) {
  const { task } = props;
  const charged = task.status === 'COMPLETED' ? task.creditsDeducted : task.creditsReserved;
  const resultHref = task.resultUrl && task.result ? `${task.resultUrl}&format=${task.result.format}` : task.resultUrl;
  return (
    <>
      <p>
        <a href="/tasks">← All tasks</a>
      </p>
      <h1 class="task-title">{describeOperation(task, true)}</h1>
      <dl class="facts">
        <div>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={task.status} />
            {task.error && <span class="muted"> {task.error.message}</span>}
          </dd>
        </div>
        <div>
          <dt>File</dt>
          <dd class="file">{task.fileName ?? '—'}</dd>
        </div>
        <div>
          <dt>Source</dt>
          <dd>{describeSource(task.source)}</dd>
        </div>
        <div>
          <dt>Credits</dt>
          <dd>{credits(charged)}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>
            <Time iso={task.createdAt} />
          </dd>
        </div>
        {task.result && (
          <div>
            <dt>Result</dt>
            <dd>
              {task.result.width} × {task.result.height} px, {task.result.format.toUpperCase()}
            </dd>
          </div>
        )}
        {task.sourceTaskId && (
          <div>
            <dt>Chained</dt>
            <dd>
              <FromTask sourceTaskId={task.sourceTaskId} />
            </dd>
          </div>
        )}
      </dl>
      <div class="before-after">
        <Side
          label="Before"
          src={`/tasks/${encodeURIComponent(task.taskId)}/input`}
          alt={`The input${task.fileName ? `, ${task.fileName}` : ''}`}
        />
        <Side label="After" src={resultHref} alt={`Result of ${describeOperation(task)}`} />
      </div>
      {resultHref && (
        <p class="actions">
          <a class="button" href={resultHref} download>
            Download
          </a>
        </p>
      )}
      <p class="muted small">
        Task <code>{task.taskId}</code>
      </p>
    </>
  );
}

/**
 * `/tasks`: the active team's history, newest first, a page at a time (cursor in the query string), narrowed by
 * status, operation and source. `/tasks/:id`: one task with a larger before/after view.
 */
export const tasksPage = new Hono<AppEnv>()
  .get('/tasks', signedIn, async (c) => {
    const user = webUserOf(c);
    const cursor = c.req.query('cursor') || undefined;
    const filters = readFilters((name) => c.req.query(name));
    const query = TaskListQuery.parse({ limit: String(pageSize), ...(cursor ? { cursor } : {}), ...filters });
    const [me, list] = await Promise.all([
      meOf(c),
      listTasks({ ctx: c.var.ctx, input: { teamId: user.teamId, query } }),
    ]);
    const filtered = Boolean(filters.status || filters.operation || filters.source);
    return renderPage(
      c,
      <Layout title="Tasks" me={me} path="/tasks">
        <h1>Tasks</h1>
        <FilterForm filters={filters} />
        {list.data.length === 0 ? (
          <p>
            {cursor
              ? 'No more tasks.'
              : filtered
                ? 'No tasks match these filters.'
                : 'No tasks yet. Results from the studio, the plugins and the API show up here.'}
          </p>
        ) : (
          <TaskTable tasks={list.data} caption="Task history, newest first" />
        )}
        <nav class="pager" aria-label="Pages">
          {cursor && <a href={historyHref(filters)}>Newest</a>}
          {list.nextCursor && (
            <a href={historyHref(filters, list.nextCursor)} rel="next">
              Older tasks
            </a>
          )}
        </nav>
      </Layout>,
    );
  })
  .get('/tasks/:taskId', signedIn, async (c) => {
    const user = webUserOf(c);
    const taskId = TaskId.safeParse(c.req.param('taskId'));
    if (!taskId.success) throw new ApiError('not_found', 'No such task.');
    const [me, task] = await Promise.all([
      meOf(c),
      getTask({ ctx: c.var.ctx, input: { teamId: user.teamId, taskId: taskId.data } }),
    ]);
    return renderPage(
      c,
      <Layout title={describeOperation(task)} me={me} path="/tasks">
        <TaskDetail task={task} />
      </Layout>,
    );
  })
  // The "before" side: the task's stored input, for the team's own signed-in people only (inputs have no public
  // link), as a WebP at most 1600 px a side, so a 25 MB TIFF shows in every browser.
  .get('/tasks/:taskId/input', signedIn, async (c) => {
    const user = webUserOf(c);
    const taskId = TaskId.safeParse(c.req.param('taskId'));
    if (!taskId.success) throw new ApiError('not_found', 'No such task.');
    const webp = await readTaskInputPreview({ ctx: c.var.ctx, input: { teamId: user.teamId, taskId: taskId.data } });
    return c.body(new Uint8Array(webp.buffer as ArrayBuffer, webp.byteOffset, webp.byteLength), 200, {
      'Content-Type': 'image/webp',
      'Cache-Control': 'private, max-age=300',
      'X-Content-Type-Options': 'nosniff',
    });
  });
