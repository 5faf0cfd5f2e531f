import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/**
 * A worker's Prometheus metrics (gpu-worker, edit worker), in a registry of its own served at its `/metrics`;
 * names are prefixed `lumina_` and labels kept to bounded sets.
 */
export interface WorkerMetrics {
  readonly registry: Registry;
  readonly jobs: Counter<'operation' | 'outcome'>;
  /** Model time per job: inference for the gpu-worker, the Gemini call (retries included) for the edit worker. */
  readonly modelSeconds: Histogram<'operation' | 'model' | 'provider'>;
}

export function createWorkerMetrics(component: 'gpu_worker' | 'edit_worker'): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: `lumina_${component}_` });
  return {
    registry,
    jobs: new Counter({
      name: 'lumina_worker_jobs_total',
      help: 'Jobs this worker finished, by operation and outcome (completed, failed).',
      labelNames: ['operation', 'outcome'],
      registers: [registry],
    }),
    modelSeconds: new Histogram({
      name: 'lumina_inference_seconds',
      help: 'Model time per job by operation, model and execution provider (cpu, cuda, remote).',
      labelNames: ['operation', 'model', 'provider'],
      buckets: [0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128],
      registers: [registry],
    }),
  };
}
