/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { TaskView } from '@lumina/shared';
import { TaskTable } from './task-list.tsx';

/** The number of tasks the dashboard's home shows. */
export const recentTaskCount = 5;

/** The dashboard home's last few tasks, as in the history, with the way to the rest. */
export function RecentTasks(props: { tasks: TaskView[] }) {
  return (
    <section aria-labelledby="recent-tasks">
      <h2 id="recent-tasks">Recent tasks</h2>
      {props.tasks.length === 0 ? (
        <p class="muted">No tasks yet. Results from the studio, the plugins and the API show up here.</p>
      ) : (
        <>
          <TaskTable tasks={props.tasks} caption={`The last ${recentTaskCount} tasks, newest first`} />
          <p>
            <a href="/tasks">All tasks</a>
          </p>
        </>
      )}
    </section>
  );
}
