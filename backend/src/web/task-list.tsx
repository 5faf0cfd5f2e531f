/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { TaskStatus, TaskView } from '@lumina/shared';
import { credits, describeOperation, describeSource, statusNames } from './describe-task.ts';
import { Time } from './layout.tsx';

const thumbPx = 64;

const statusClass: Record<TaskStatus, string> = {
  QUEUED: 'open',
  PROCESSING: 'open',
  COMPLETED: 'done',
  FAILED: 'failed',
  CANCELED: 'canceled',
};

/** A task's status as a coloured badge that says it in words too (colour is never the only signal). */
export function StatusBadge(props: { status: TaskStatus }) {
  return <span class={`badge ${statusClass[props.status]}`}>{statusNames[props.status]}</span>;
}

/** The link to a task's own page, with the before/after view. */
export const taskHref = (taskId: string): string => `/tasks/${encodeURIComponent(taskId)}`;

/** The chained step's origin: "from task task_…", linking to it. */
export function FromTask(props: { sourceTaskId: string | null }) {
  if (!props.sourceTaskId) return null;
  return (
    <div class="muted small">
      from task{' '}
      <a href={taskHref(props.sourceTaskId)}>
        <code>…{props.sourceTaskId.slice(-8)}</code>
        <span class="visually-hidden"> ({props.sourceTaskId})</span>
      </a>
    </div>
  );
}

function TaskRow(props: { task: TaskView }) {
  const { task } = props;
  const charged = task.status === 'COMPLETED' ? task.creditsDeducted : task.creditsReserved;
  const title = describeOperation(task);
  return (
    <tr>
      <td class="thumb-cell">
        <a href={taskHref(task.taskId)} title="Open the before/after view">
          {task.thumbnailUrl ? (
            <img
              class="thumb"
              src={task.thumbnailUrl}
              width={thumbPx}
              height={thumbPx}
              loading="lazy"
              decoding="async"
              alt={`Result of ${title}`}
            />
          ) : (
            <span class="thumb empty" aria-hidden="true" />
          )}
          <span class="visually-hidden">Open task {task.taskId}</span>
        </a>
      </td>
      <td class="what">
        <a class="op" href={taskHref(task.taskId)} title={describeOperation(task, true)}>
          {title}
        </a>
        {task.fileName && <div class="file">{task.fileName}</div>}
        <FromTask sourceTaskId={task.sourceTaskId} />
      </td>
      <td class="source">{describeSource(task.source)}</td>
      <td>
        <StatusBadge status={task.status} />
        {task.error && <div class="muted small">{task.error.message}</div>}
      </td>
      <td class="num">{credits(charged)}</td>
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

/**
 * Tasks as a table: thumbnail (checkerboard behind transparency, light in both schemes), what was done with which
 * settings, on which file, from where, status, credits, time and download. Under 600 px each row is a card.
 */
export function TaskTable(props: { tasks: TaskView[]; caption: string }) {
  return (
    <table class="history">
      <caption class="visually-hidden">{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">Result</th>
          <th scope="col">Task</th>
          <th scope="col">Source</th>
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
        {props.tasks.map((task) => (
          <TaskRow task={task} />
        ))}
      </tbody>
    </table>
  );
}
