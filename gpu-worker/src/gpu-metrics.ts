import { Gauge, Histogram, type Registry } from 'prom-client';
import type { InferenceObserver } from './inference/load-session-thread.ts';

export interface GpuMetrics {
  readonly observer: InferenceObserver;
  readonly jobsInFlight: Gauge;
  readonly pixelsInFlight: Gauge;
}

/**
 * What shows whether the accelerator is saturated: batch sizes near INFERENCE_MAX_BATCH with queue waits growing
 * mean the model is the bottleneck (add GPUs); small batches with short waits while jobs queue in Redis mean the
 * worker's own cpu stages are (add cores or WORKER_CONCURRENCY).
 */
export function createGpuMetrics(registry: Registry): GpuMetrics {
  const batchSize = new Histogram({
    name: 'lumina_inference_batch_size',
    help: 'Inputs per model run, by model and execution provider.',
    labelNames: ['model', 'provider'],
    buckets: [1, 2, 4, 8, 16, 32],
    registers: [registry],
  });
  const batchSeconds = new Histogram({
    name: 'lumina_inference_batch_seconds',
    help: 'Model time per run (one batch), by model and execution provider.',
    labelNames: ['model', 'provider'],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8],
    registers: [registry],
  });
  const queueWait = new Histogram({
    name: 'lumina_inference_queue_wait_seconds',
    help: "Time an input waited for its model's thread (a free session and its batch), by model.",
    labelNames: ['model'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16],
    registers: [registry],
  });
  return {
    observer: {
      batch(model, provider, size, seconds) {
        batchSize.observe({ model, provider }, size);
        batchSeconds.observe({ model, provider }, seconds);
      },
      queueWait(model, seconds) {
        queueWait.observe({ model }, seconds);
      },
    },
    jobsInFlight: new Gauge({
      name: 'lumina_worker_jobs_in_flight',
      help: 'Jobs this gpu-worker holds now (at most WORKER_CONCURRENCY).',
      registers: [registry],
    }),
    pixelsInFlight: new Gauge({
      name: 'lumina_worker_pixels_in_flight',
      help: 'Decoded pixels of the jobs in flight (at most WORKER_MAX_PIXELS_IN_FLIGHT, or one larger image).',
      registers: [registry],
    }),
  };
}
