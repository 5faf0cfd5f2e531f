import { createLuminaClient, type LuminaClient, TaskView } from '@lumina/shared';

/**
 * The public API as the signed-in browser uses it: the session cookie (same origin) and the `Lumina-Team`
 * header for the team chosen in the dashboard, through the same typed client the plugins use.
 */
export function studioClient(teamId: string): LuminaClient {
  return createLuminaClient({
    baseUrl: window.location.origin,
    token: null,
    fetch: (url, init) =>
      fetch(url, {
        ...(init as RequestInit),
        credentials: 'same-origin',
        headers: { ...(init?.headers as Record<string, string> | undefined), 'lumina-team': teamId },
      }),
  });
}

/**
 * Follows a task over its server-sent events (`GET /api/v1/tasks/:id/events`) until it settles. Read with
 * fetch rather than EventSource, which cannot send the team header; every event is parsed with the shared schema.
 */
export async function followTask(
  teamId: string,
  taskId: string,
  onUpdate: (view: TaskView) => void,
  signal: AbortSignal,
): Promise<TaskView> {
  const res = await fetch(`/api/v1/tasks/${encodeURIComponent(taskId)}/events`, {
    headers: { accept: 'text/event-stream', 'lumina-team': teamId },
    credentials: 'same-origin',
    signal,
  });
  if (!res.ok || !res.body) throw new Error(`The task's progress could not be followed (HTTP ${res.status}).`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let last: TaskView | null = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      if (data === '') continue;
      last = TaskView.parse(JSON.parse(data));
      onUpdate(last);
    }
  }
  if (!last) throw new Error('The progress stream ended before the task did.');
  return last;
}
