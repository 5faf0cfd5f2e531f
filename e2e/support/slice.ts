import { type GpuWorker, loadWorkerConfig, silentLogger, startGpuWorker } from '@lumina/gpu-worker';
import { isTerminal, SubmitTaskResponse, TaskView } from '@lumina/shared';
import { expect } from 'vitest';
import { eventually, processForm, startTestBackend, type TestBackend } from '../../backend/test/support/harness.ts';

/** The whole slice in one test process: the real backend and a real gpu-worker sharing its store. */
export interface Slice {
  readonly t: TestBackend;
  readonly worker: GpuWorker;
  close(): Promise<void>;
}

export async function startSlice(
  overrides: Record<string, string> = {},
  options: { ownDatabase?: boolean } = {},
): Promise<Slice> {
  const t = await startTestBackend(overrides, options);
  const worker = await startGpuWorker({
    config: loadWorkerConfig(t.env),
    store: t.backend.ctx.store,
    log: silentLogger,
  });
  await worker.ready;
  return {
    t,
    worker,
    async close() {
      await worker.close();
      await t.close();
    },
  };
}

/** `POST /api/v1/process` as multipart; expects the 202 and returns the task id. */
export async function submit(
  t: TestBackend,
  auth: Record<string, string>,
  image: Uint8Array,
  fields: Record<string, string> = {},
): Promise<string> {
  const res = await t.request('/api/v1/process', { method: 'POST', headers: auth, body: processForm(image, fields) });
  expect(res.status).toBe(202);
  return SubmitTaskResponse.parse(await res.json()).taskId;
}

/** Polls `GET /api/v1/tasks/:id` until the task is settled. */
export const settledTask = (t: TestBackend, taskId: string, auth: Record<string, string>): Promise<TaskView> =>
  eventually(async () => {
    const view = TaskView.parse(await (await t.request(`/api/v1/tasks/${taskId}`, { headers: auth })).json());
    return isTerminal(view.status) ? view : undefined;
  });

/** Downloads a result through its signed URL, without the bearer header: the URL itself is the credential. */
export async function fetchResult(
  t: TestBackend,
  resultUrl: string | null,
): Promise<{ type: string | null; bytes: Buffer }> {
  if (!resultUrl) throw new Error('a completed task has a result URL');
  const url = new URL(resultUrl);
  const res = await t.request(url.pathname + url.search);
  expect(res.status).toBe(200);
  return { type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
}
