import { type GpuWorker, loadWorkerConfig, silentLogger, startGpuWorker } from '@lumina/gpu-worker';
import { createWorkerMetrics, serveMetrics } from '@lumina/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, startTestBackend, type TestBackend } from '../backend/test/support/harness.ts';
import { settledTask, submit } from './support/slice.ts';

// Prometheus metrics of the API and of a real gpu-worker, after one real task.
let t: TestBackend;
let worker: GpuWorker;
let metricsServer: Awaited<ReturnType<typeof serveMetrics>>;

beforeAll(async () => {
  t = await startTestBackend();
  const metrics = createWorkerMetrics('gpu_worker');
  worker = await startGpuWorker({
    config: loadWorkerConfig(t.env),
    store: t.backend.ctx.store,
    log: silentLogger,
    metrics,
  });
  await worker.ready;
  metricsServer = await serveMetrics(metrics.registry, { port: 0, host: '127.0.0.1', log: silentLogger });
});
afterAll(async () => {
  await metricsServer?.close();
  await worker?.close();
  await t?.close();
});

/** The value of one sample line, e.g. `name{a="b"}`, in Prometheus text format. */
const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('metrics', () => {
  it('count requests, task outcomes, credits and inference time by model and provider', async () => {
    const team = await t.newTeam(5);
    const taskId = await submit(t, team.auth, fixture('chelsea.png'));
    expect((await settledTask(t, taskId, team.auth)).status).toBe('COMPLETED');

    const api = await (
      await t.request('/metrics', { headers: { authorization: `Bearer ${t.env.METRICS_TOKEN}` } })
    ).text();
    expect(sample(api, 'lumina_http_requests_total{method="POST",route="/api/v1/process",status="202"}')).toBe(1);
    expect(
      sample(api, 'lumina_http_requests_total{method="GET",route="/api/v1/tasks/:id",status="200"}'),
    ).toBeGreaterThan(0);
    expect(sample(api, 'lumina_tasks_settled_total{operation="remove-background",outcome="completed"}')).toBe(1);
    expect(sample(api, 'lumina_credits_spent_total{operation="remove-background"}')).toBe(1);
    expect(sample(api, 'lumina_queue_jobs{queue="lumina-gpu",state="waiting"}')).toBe(0);
    expect(sample(api, 'lumina_queue_oldest_waiting_seconds{queue="lumina-gpu"}')).toBe(0);

    const res = await fetch(`http://127.0.0.1:${metricsServer.port}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    const labels = `operation="remove-background",model="${worker.model}",provider="${worker.executionProvider}"`;
    expect(sample(text, `lumina_inference_seconds_count{${labels}}`)).toBe(1);
    expect(sample(text, `lumina_inference_seconds_sum{${labels}}`)).toBeGreaterThan(0);
    expect(sample(text, 'lumina_worker_jobs_total{operation="remove-background",outcome="completed"}')).toBe(1);
  });
});
